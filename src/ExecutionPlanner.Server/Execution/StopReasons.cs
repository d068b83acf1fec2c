using ExecutionPlanner.Server.Jobs.Store;

namespace ExecutionPlanner.Server.Execution;

/// <summary>Why a job this node runs should stop, as the database tells it (one read through the store).</summary>
public static class StopReasons
{
    /// <summary>None while the job is still EXECUTING under <paramref name="token"/>.</summary>
    public static async Task<StopReason> ReadStopReasonAsync(this RunQueue queue, string jobId, Guid token, CancellationToken ct) =>
        await queue.ReadLeaseAsync(jobId, token, ct) switch
        {
            null => StopReason.Deleted,
            ("EXECUTING", true) => StopReason.None,
            ("ABORTED", true) => StopReason.Aborted,
            _ => StopReason.LeaseLost,
        };
}
