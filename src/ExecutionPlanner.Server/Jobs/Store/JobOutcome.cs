using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Persistence;

namespace ExecutionPlanner.Server.Jobs.Store;

/// <summary>How a run ended, ready to be written: the phase, what to tell the owner, and the files collected.</summary>
public sealed record JobOutcome(
    ExecutionPhase Phase,
    string? ErrorSummary,
    string? ErrorDetail,
    int? ExitCode,
    IReadOnlyList<JobFileEntity> Results)
{
    public bool ErrorIsTransient { get; init; }

    /// <summary>What the owner should learn beyond the phase (written as job messages with the outcome).</summary>
    public IReadOnlyList<string> Messages { get; init; } = [];

    public static JobOutcome Failed(string summary, bool transient = false) =>
        new(ExecutionPhase.ERROR, summary, null, null, []) { ErrorIsTransient = transient, Messages = [summary] };
}
