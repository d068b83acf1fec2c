namespace ExecutionPlanner.Docker;

/// <summary>The exit status from wait, and the engine's error message if waiting itself failed.</summary>
public sealed record ContainerWaitResult(long StatusCode, string? Error);
