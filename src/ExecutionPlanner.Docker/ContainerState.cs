namespace ExecutionPlanner.Docker;

/// <summary>A container's state from inspect. Times are null when the engine reports them as unset.</summary>
public sealed record ContainerState(
    string Status,
    bool Running,
    long ExitCode,
    bool OomKilled,
    string? Error,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt);
