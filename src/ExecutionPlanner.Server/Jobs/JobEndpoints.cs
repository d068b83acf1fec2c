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
        var (job, files) = await ReadHonouringWaitAsync(jobId, callers.Resolve(request), request, options.CurrentValue, db, woken, clock, ct);
        return Document(request, job, files);
    }

    /// <summary>
    /// The caller's job and its files, held as UWS WAIT and PHASE in the request's query ask (the job document and
    /// the browser's job page alike). With WAIT the watch begins before the one read, so a change landing between
    /// the read and the wait is still delivered.
    /// </summary>
    internal static async Task<(JobEntity Job, List<JobFileInfo> Files)> ReadHonouringWaitAsync(
        string jobId, Caller caller, HttpRequest request, JobsOptions options, UwsDbContext db, WokenJobReader woken,
        TimeProvider clock, CancellationToken ct)
    {
        var query = UwsRequestParameters.FromQuery(request);
        var wait = JobControl.ParseWait(query.ValuesOf("WAIT"), options);
        var phaseFilter = query.One(JobControl.Phase) is { } p ? JobListFilter.ParsePhase(p) : (ExecutionPhase?)null;

        using var watch = wait > 0 ? woken.Watch(jobId) : null;
        var (job, files) = await db.GetOwnedWithFilesAsync(jobId, caller, ct);
        if (watch is not null && ShouldBlock(job.Phase, phaseFilter))
        {
            return await WaitForPhaseChangeAsync(job, watch, caller, TimeSpan.FromSeconds(wait), db, clock, ct);
        }
        return (job, files);
    }

    /// <summary>
    /// Holds until the job's phase differs from <paramref name="job"/>'s or the wait runs out. The caller began
    /// <paramref name="watch"/> before it read <paramref name="job"/>, so no change after that read is missed. The
    /// snapshots come from <see cref="WokenJobReader"/>, which reads the jobs of one NOTIFY burst together; a snapshot
    /// is only a fresh read (a LISTEN reconnect sends everyone one), so the phase is checked after each.
    /// </summary>
    static async Task<(JobEntity Job, List<JobFileInfo> Files)> WaitForPhaseChangeAsync(
        JobEntity job, JobWatch watch, Caller caller, TimeSpan wait, UwsDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var seen = job.Phase;
        var deadline = clock.GetUtcNow() + wait;
        while (true)
        {
            var left = deadline - clock.GetUtcNow();
            if (left <= TimeSpan.Zero || await watch.NextAsync(left, clock, ct) is not { } snapshot)
            {
                break;
            }
            if (snapshot.Stale)
            {
                var fresh = await db.GetOwnedWithFilesAsync(job.Id, caller, ct);
                if (fresh.Job.Phase != seen)
                {
                    return fresh;
                }
                continue;
            }
            job = snapshot.Job is { } current && current.OwnerId == caller.OwnerId ? current : throw JobQueries.NoSuchJob(job.Id);
            if (job.Phase != seen)
            {
                return (job, snapshot.Files);
            }
        }
        // The wait ran out: answer with a fresh read.
        return await db.GetOwnedWithFilesAsync(job.Id, caller, ct);
    }

    static UwsXmlResult Document(HttpRequest request, JobEntity job, List<JobFileInfo> files)
    {
        var jobUrl = JobLinks.Job(request, job.Id);
        return new UwsXmlResult(w => UwsXml.WriteJob(w, job, files, jobUrl));
    }

    /// <summary>Blocking applies to active phases only, and only while PHASE (if given) matches.</summary>
    static bool ShouldBlock(ExecutionPhase current, ExecutionPhase? phaseFilter) =>
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
