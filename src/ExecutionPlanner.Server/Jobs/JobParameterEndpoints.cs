using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Persistence;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>/jobs/{id}/parameters: the parameter list, one parameter's value or upload, and changes while PENDING.</summary>
public static class JobParameterEndpoints
{
    public static async Task<UwsXmlResult> List(string jobId, HttpRequest request, UwsDbContext db, CallerResolver callers, CancellationToken ct)
    {
        var (job, files) = await db.GetOwnedWithFilesAsync(jobId, callers.Resolve(request), ct);
        var jobUrl = JobLinks.Job(request, jobId);
        return new UwsXmlResult(w => UwsXml.WriteParameters(w, job, files, jobUrl));
    }

    /// <summary>An uploaded file's content, or a parameter's value(s) as text, one per line.</summary>
    public static async Task<IResult> Get(string jobId, string name, HttpRequest request, UwsDbContext db, CallerResolver callers, CancellationToken ct)
    {
        var job = await db.GetOwnedAsync(jobId, callers.Resolve(request), ct);
        var values = job.Parameters.Where(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(p => p.Value).ToList();
        return values.Count > 0
            ? PlainText.Value(string.Join('\n', values))
            : new JobFileResult(jobId, JobFileKind.Input, name);
    }

    /// <summary>
    /// Changes parameters of a PENDING job (UWS §2.1.11, DALI-async §2.1): each name given replaces all
    /// values of that name (a new cmd replaces the whole command), each file replaces the upload of
    /// that name, and the result must still satisfy the contract. The job row is locked for the
    /// transaction, so a concurrent RUN sees either the old or the new parameters, never a mix.
    /// </summary>
    public static async Task<SeeOther> Post(
        string jobId, HttpRequest request, UwsDbContext db, CallerResolver callers, IOptionsMonitor<JobsOptions> options,
        IOptionsMonitor<Callbacks.CallbackOptions> callbacks, CancellationToken ct)
    {
        var caller = callers.Resolve(request);
        var form = await UwsRequestParameters.ReadAsync(request, options.CurrentValue, ct);
        if (form.Pairs.FirstOrDefault(p => JobControl.Names.Contains(p.Key)) is { Key: not null } control)
        {
            throw UwsRequestException.BadRequest($"{control.Key.ToUpperInvariant()} is not a job parameter; send it to its own resource.");
        }
        var given = JobParameterContract.Normalise(form.Pairs);
        var inputs = await JobInputs.ReadAsync(form.Files, ct);
        if (given.Count == 0 && inputs.Count == 0)
        {
            throw UwsRequestException.BadRequest("No parameters were given.");
        }

        var replaced = given.Select(p => p.Name).ToHashSet();
        await db.ReplaceParametersAsync(caller, jobId, inputs.Select(i => i.ToEntity(jobId)).ToList(), (job, inputNames) =>
        {
            var merged = job.Parameters.Where(p => !replaced.Contains(p.Name)).Concat(given).ToList();
            JobParameterContract.Validate(merged, inputNames.Union(inputs.Select(i => i.Name)), options.CurrentValue);
            Callbacks.CallbackParameter.Check(merged, callbacks.CurrentValue);
            return merged;
        }, ct);
        return new SeeOther(JobLinks.Job(request, jobId));
    }
}
