using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Store;
using Hangfire;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// The Hangfire job scheduled for the slot of an accepted offer: at the slot's start it moves the HELD job the offer
/// made to QUEUED (its capacity is booked from then on, not before), and the dispatcher then enqueues its run. A
/// compare-and-set, so a duplicate or late delivery (the job was aborted, or run by PHASE=RUN once its slot came)
/// changes nothing.
/// </summary>
public sealed partial class HeldJobRelease(JobPhaseChanger phases, TimeProvider clock, ILogger<HeldJobRelease> logger)
{
    /// <summary>Hangfire keeps schedule times in whole seconds, so a scheduled job may come this much early.</summary>
    static readonly TimeSpan MaxEarly = TimeSpan.FromSeconds(2);

    /// <param name="jobId">The HELD UWS job.</param>
    /// <param name="owner">Its owner, shown in the dashboard only.</param>
    /// <param name="slot">The start of the offered slot: the job is never queued before it.</param>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Slot of UWS job {0} (owner {1})")]
    public async Task<string> ReleaseAsync(string jobId, string owner, DateTimeOffset slot)
    {
        // The capacity is sold from the slot on: wait out the rest when Hangfire's whole-second schedule came early.
        var early = slot - clock.GetUtcNow();
        if (early > TimeSpan.Zero)
        {
            await Task.Delay(early < MaxEarly ? early : MaxEarly, clock);
            if (slot > clock.GetUtcNow())
            {
                return "came too early for its slot; nothing done (the dispatcher schedules it again)";
            }
        }
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
