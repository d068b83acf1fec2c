using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Persistence;

namespace ExecutionPlanner.Server.Jobs.Events;

/// <summary>
/// Live events as Server-Sent Events: /jobs/events (every job of the caller) and /jobs/{id}/events (one job). The
/// caller sees what GET /jobs and GET /jobs/{id} would show them: another owner's job is 404, no credentials 401.
/// Events come from whichever node made the change (NOTIFY on uws_job_event), so a stream on one node follows jobs
/// changed and run on any other.
/// </summary>
public static class JobEventEndpoints
{
    public static async Task<JobEventStreamResult> ForJob(
        string jobId, HttpRequest request, UwsDbContext db, CallerResolver callers, JobEventStreams streams, CancellationToken ct)
    {
        var caller = callers.Resolve(request);
        // Subscribed before the first read, so that no change between the read and the stream is lost.
        var subscription = streams.SubscribeJob(jobId, caller.OwnerId);
        try
        {
            await db.GetOwnedAsync(jobId, caller, ct);
        }
        catch
        {
            subscription.Dispose();
            throw;
        }
        return new JobEventStreamResult(subscription, (since, c) => JobEventReads.JobAsync(db, jobId, caller, since, c));
    }

    public static JobEventStreamResult ForCaller(HttpRequest request, UwsDbContext db, CallerResolver callers, JobEventStreams streams)
    {
        var caller = callers.Resolve(request);
        var subscription = streams.SubscribeOwner(caller.OwnerId);
        return new JobEventStreamResult(subscription, async (since, c) => await JobEventReads.OwnerAsync(db, caller, since, c));
    }
}
