using ExecutionPlanner.Server.Jobs;
using Hangfire;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// The Hangfire job scheduled for the slot of an accepted offer: at the slot's start it moves the HELD job the offer
/// made to QUEUED (its capacity is booked from then on, not before), and the dispatcher then enqueues its run. A
/// compare-and-set, so a duplicate or late delivery (the job was aborted, or run by PHASE=RUN once its slot came)
/// changes nothing.
/// </summary>
public sealed partial class HeldJobRelease(JobPhaseChanger phases, ILogger<HeldJobRelease> logger)
{
    /// <param name="jobId">The HELD UWS job.</param>
    /// <param name="owner">Its owner, shown in the dashboard only.</param>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Slot of UWS job {0} (owner {1})")]
    public async Task<string> ReleaseAsync(string jobId, string owner)
    {
        if (!await phases.TryMoveAsync(jobId, ExecutionPhase.QUEUED, [ExecutionPhase.HELD], CancellationToken.None))
        {
            return "nothing to do: the UWS job is no longer HELD";
        }
        LogReleased(logger, jobId);
        return "queued at its slot";
    }

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "Queued held job {JobId}: its offered slot has come")]
    static partial void LogReleased(ILogger logger, string jobId);
}
