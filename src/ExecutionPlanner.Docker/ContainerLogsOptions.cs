namespace ExecutionPlanner.Docker;

/// <summary>How to read a container's logs.</summary>
public sealed record ContainerLogsOptions
{
    public static readonly ContainerLogsOptions Default = new();

    /// <summary>Keep reading until the container exits (no request timeout applies).</summary>
    public bool Follow { get; init; }

    public LogByteLimits Limits { get; init; } = LogByteLimits.None;
}
