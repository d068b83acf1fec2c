using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Persistence;

namespace ExecutionPlanner.Server.Jobs.Events;

/// <summary>
/// The state an event stream starts from, and reads again after a LISTEN reconnect: the phase of the job (or the
/// caller's jobs) as events, and, after a Last-Event-ID, what changed since then.
/// </summary>
public static class JobEventReads
{
    /// <summary>Most jobs a job list stream reports on connect.</summary>
    public const int MaxListJobs = 1000;

    /// <summary>
    /// The job's current phase, then (when <paramref name="since"/> is given) its messages from that instant on.
    /// Null when the job no longer exists for the caller.
    /// </summary>
    public static async Task<List<JobEvent>?> JobAsync(UwsDbContext db, string jobId, Caller caller, DateTimeOffset? since, CancellationToken ct)
    {
        var job = await db.FindOwnedAsync(jobId, caller, ct);
        if (job is null)
        {
            return null;
        }
        List<JobEvent> events = [JobEvent.PhaseChanged(job.Id, job.OwnerId, job.Phase, job.PhaseChangedAt)];
        if (since is { } s)
        {
            events.AddRange(job.Messages.Where(m => m.Time >= s)
                .Select(m => new JobEvent(JobEventKind.Message, job.Id, job.OwnerId) { Time = m.Time, Text = m.Text }));
        }
        return events;
    }

    /// <summary>
    /// The current phase of the caller's active jobs and (when <paramref name="since"/> is given) of every job whose
    /// phase changed from that instant on: at most <see cref="MaxListJobs"/>, the most recently changed, oldest first.
    /// </summary>
    public static async Task<List<JobEvent>> OwnerAsync(UwsDbContext db, Caller caller, DateTimeOffset? since, CancellationToken ct)
    {
        var rows = await db.PhaseChangesAsync(caller, since, MaxListJobs, ct);
        return [.. rows.AsEnumerable().Reverse().Select(j => JobEvent.PhaseChanged(j.Id, j.OwnerId, j.Phase, j.PhaseChangedAt))];
    }
}
