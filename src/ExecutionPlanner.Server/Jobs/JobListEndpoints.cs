using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>The job list /jobs: GET lists the caller's jobs, POST creates one (UWS §2.2.2.1, §2.2.3.1).</summary>
public static class JobListEndpoints
{
    public static JobListXmlResult List(HttpRequest request, UwsDbContext db, CallerResolver callers)
    {
        var caller = callers.Resolve(request);
        var filter = JobListFilter.Parse(UwsRequestParameters.FromQuery(request));
        return new JobListXmlResult(db.List(caller, filter).AsAsyncEnumerable(), JobLinks.JobList(request));
    }

    /// <summary>
    /// Creates a PENDING job (or QUEUED with PHASE=RUN) with its uploaded files, in one transaction
    /// (shared with concurrent creations, see <see cref="JobCreationBatcher"/>): if the process dies
    /// before the commit the client got no 303 and no job exists; after it, the job and its files are
    /// durable and visible to every node. Everything that can make the request a 4xx is checked here,
    /// before the job is handed to the batcher.
    /// </summary>
    public static async Task<SeeOther> Create(
        HttpRequest request, JobCreationBatcher batcher, CallerResolver callers, IOptionsMonitor<JobsOptions> options,
        IOptionsMonitor<Callbacks.CallbackOptions> callbacks, TimeProvider clock, CancellationToken ct)
    {
        var caller = callers.Resolve(request);
        var o = options.CurrentValue;
        var form = await UwsRequestParameters.ReadAsync(request, o, ct);
        var id = await CreateAsync(form, form.Files, file => file.Name, caller, batcher, o, callbacks.CurrentValue, clock, ct);
        return new SeeOther(JobLinks.Job(request, id));
    }

    /// <summary>
    /// The creation itself, shared with the browser view's form (which names uploads by their file names):
    /// checks the controls, parameters and uploads, then hands the job to the batcher. Returns the new job's id.
    /// </summary>
    internal static async Task<string> CreateAsync(
        UwsRequestParameters form, IReadOnlyList<IFormFile> files, Func<IFormFile, string> inputName, Caller caller,
        JobCreationBatcher batcher, JobsOptions o, Callbacks.CallbackOptions callbacks, TimeProvider clock, CancellationToken ct)
    {
        var run = form.One(JobControl.Phase) is { } phase
            ? phase.Trim().Equals("RUN", StringComparison.OrdinalIgnoreCase)
                ? true
                : throw UwsRequestException.BadRequest($"PHASE '{phase}' cannot be given when creating a job; only PHASE=RUN can.")
            : false;
        var parameters = JobParameterContract.Normalise(form.Pairs.Where(p => !JobControl.Names.Contains(p.Key)));
        var inputs = await JobInputs.ReadAsync(files, inputName, ct);
        JobParameterContract.Validate(parameters, inputs.Select(i => i.Name), o);
        Callbacks.CallbackParameter.Check(parameters, callbacks);

        var now = UwsTime.Truncate(clock.GetUtcNow());
        var job = new JobEntity
        {
            Id = JobIds.New(),
            OwnerId = caller.OwnerId,
            RunId = form.One(JobControl.RunId),
            Phase = run ? ExecutionPhase.QUEUED : ExecutionPhase.PENDING,
            PhaseChangedAt = now,
            CreationTime = now,
            QueuedAt = run ? now : null,
            ExecutionDuration = form.One(JobControl.ExecutionDuration) is { } d
                ? JobControl.ParseExecutionDuration(d, o)
                : o.DefaultExecutionDuration,
            Destruction = form.One(JobControl.Destruction) is { } t
                ? JobControl.ParseDestruction(t, now, o)
                : now + o.DefaultLifetime,
            Parameters = parameters,
        };
        string?[] clamped =
        [
            form.One(JobControl.ExecutionDuration) is { } asked ? ClampMessages.ForExecutionDuration(asked, job.ExecutionDuration) : null,
            form.One(JobControl.Destruction) is not null ? ClampMessages.ForDestruction(job.Destruction, now, o) : null,
        ];
        job.Messages = clamped.OfType<string>().Select(m => JobMessages.Create(now, m)).ToList();
        await batcher.CreateAsync(job, inputs);
        return job.Id;
    }
}
