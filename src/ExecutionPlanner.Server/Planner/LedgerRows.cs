using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// An offer as the ledger reads it. Only an OFFERED one is charged, from its start for its duration,
/// until it expires. Its owner is kept for the cap on what one owner may hold in open offers.
/// </summary>
public readonly record struct LedgerOfferRow(
    string Id, OfferPhase Phase, DateTimeOffset Expires, DateTimeOffset Start, int DurationSeconds, decimal Cores, long MemoryBytes,
    string OwnerId = "");

/// <summary>
/// A job as the ledger reads it. Only a QUEUED, EXECUTING or HELD one is charged. A job made from an
/// offer carries the offer's slot start and resources; any other job the cores and memory parameters
/// it was given (null: the node's defaults, applied when the ledger is built).
/// </summary>
public readonly record struct LedgerJobRow(
    string Id, ExecutionPhase Phase, DateTimeOffset? StartTime, int ExecutionDurationSeconds,
    DateTimeOffset? OfferStart, decimal? Cores, long? MemoryBytes)
{
    public bool IsCharged => Phase is ExecutionPhase.QUEUED or ExecutionPhase.EXECUTING or ExecutionPhase.HELD;
}

/// <summary>The limits charged for a job that names none, and for one with no executionDuration limit.</summary>
public readonly record struct JobDefaults(decimal Cores, long MemoryBytes, TimeSpan UnlimitedDuration);
