using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Jobs.Waiting;
using ExecutionPlanner.Server.Persistence;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>One job: /jobs/{id} (GET with optional WAIT, DELETE, POST ACTION=DELETE).</summary>
public static class JobEndpoints
{
    /// <summary>
    /// The job document. With WAIT=n the answer is held while the job is in an active phase (and in
    /// the phase PHASE names, if given) until its phase changes or n seconds pass (UWS §2.2.1.2).
    /// The wait holds no thread and no database connection.
    /// </summary>
    public static async Task<UwsXmlResult> Get(
        string jobId, HttpRequest request, UwsDbContext db, CallerResolver callers,
        IOptionsMonitor<JobsOptions> options, TimeProvider clock, WokenJobReader woken, CancellationToken ct)
    {
        var caller = callers.Resolve(request);
        var query = UwsRequestParameters.FromQuery(request);
        var wait = JobControl.ParseWait(query.ValuesOf("WAIT"), options.CurrentValue);
        var phaseFilter = query.One(JobControl.Phase) is { } p ? JobListFilter.ParsePhase(p) : (ExecutionPhase?)null;

        var job = await db.GetOwnedAsync(jobId, caller, ct);
        if (wait > 0 && ShouldBlock(job.Phase, phaseFilter))
        {
            var (current, files) = await WaitForPhaseChangeAsync(job, caller, TimeSpan.FromSeconds(wait), db, woken, clock, ct);
            return Document(request, current, files);
        }
        return Document(request, job, await db.FileInfosAsync(jobId, ct));
    }

    /// <summary>
    /// Holds until the job's phase differs from <paramref name="job"/>'s or the wait runs out. Watching comes
    /// before the read, so a change landing between read and wait is still delivered. The snapshots come from
    /// <see cref="WokenJobReader"/>, which reads the jobs of one NOTIFY burst together; a snapshot is only a
    /// fresh read (a LISTEN reconnect sends everyone one), so the phase is checked after each.
    /// </summary>
    internal static async Task<(JobEntity Job, List<JobFileInfo> Files)> WaitForPhaseChangeAsync(
        JobEntity job, Caller caller, TimeSpan wait, UwsDbContext db, WokenJobReader woken, TimeProvider clock, CancellationToken ct)
    {
        var seen = job.Phase;
        var deadline = clock.GetUtcNow() + wait;
        using (var watch = woken.Watch(job.Id))
        {
            job = await db.GetOwnedAsync(job.Id, caller, ct);
            while (job.Phase == seen)
            {
                var left = deadline - clock.GetUtcNow();
                if (left <= TimeSpan.Zero || await watch.NextAsync(left, clock, ct) is not { } snapshot)
                {
                    break;
                }
                if (snapshot.Stale)
                {
                    job = await db.GetOwnedAsync(job.Id, caller, ct);
                    continue;
                }
                job = snapshot.Job is { } current && current.OwnerId == caller.OwnerId ? current : throw JobQueries.NoSuchJob(job.Id);
                if (job.Phase != seen)
                {
                    return (job, snapshot.Files);
                }
            }
        }
        // The wait ran out (or the phase changed before it began): answer with a fresh read.
        job = await db.GetOwnedAsync(job.Id, caller, ct);
        return (job, await db.FileInfosAsync(job.Id, ct));
    }

    static UwsXmlResult Document(HttpRequest request, JobEntity job, List<JobFileInfo> files)
    {
        var jobUrl = JobLinks.Job(request, job.Id);
        return new UwsXmlResult(w => UwsXml.WriteJob(w, job, files, jobUrl));
    }

    /// <summary>Blocking applies to active phases only, and only while PHASE (if given) matches.</summary>
    public static bool ShouldBlock(ExecutionPhase current, ExecutionPhase? phaseFilter) =>
        PhaseTransitions.Active.Contains(current) && (phaseFilter is null || phaseFilter == current);

    public static async Task<SeeOther> Delete(string jobId, HttpRequest request, UwsDbContext db, CallerResolver callers, CancellationToken ct)
    {
        var caller = callers.Resolve(request);
        await DestroyAsync(db, jobId, caller, ct);
        return new SeeOther(JobLinks.JobList(request));
    }

    /// <summary>POST to a job: ACTION=DELETE, for clients that cannot send DELETE (UWS §2.2.3.2).</summary>
    public static async Task<SeeOther> Post(
        string jobId, HttpRequest request, UwsDbContext db, CallerResolver callers, IOptionsMonitor<JobsOptions> options,
        CancellationToken ct)
    {
        var caller = callers.Resolve(request);
        var form = await UwsRequestParameters.ReadAsync(request, options.CurrentValue, ct);
        var action = form.One(JobControl.Action)
            ?? throw UwsRequestException.BadRequest("POST to a job takes ACTION=DELETE; parameters go to …/parameters.");
        if (!action.Trim().Equals("DELETE", StringComparison.OrdinalIgnoreCase))
        {
            throw UwsRequestException.BadRequest($"ACTION '{action}' is not supported; the only action is DELETE.");
        }
        await DestroyAsync(db, jobId, caller, ct);
        return new SeeOther(JobLinks.JobList(request));
    }

    /// <summary>Destroys the caller's job, files and all (<see cref="JobWrites.DestroyAsync"/>); 404 when there is none.</summary>
    internal static async Task DestroyAsync(UwsDbContext db, string jobId, Caller caller, CancellationToken ct)
    {
        if (await db.DestroyAsync(caller, jobId, ct) == 0)
        {
            throw JobQueries.NoSuchJob(jobId);
        }
    }
}
