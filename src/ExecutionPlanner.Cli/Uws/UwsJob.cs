namespace ExecutionPlanner.Cli.Uws;

/// <summary>A UWS 1.1 job as read from its XML (the parts a person or a script needs).</summary>
internal sealed record UwsJob
{
    public required Uri Url { get; init; }

    public required string JobId { get; init; }

    public required string Phase { get; init; }

    public string? RunId { get; init; }

    public string? OwnerId { get; init; }

    public string? CreationTime { get; init; }

    public string? StartTime { get; init; }

    public string? EndTime { get; init; }

    public string? Quote { get; init; }

    public string? ExecutionDuration { get; init; }

    public string? Destruction { get; init; }

    public string? ErrorSummary { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; init; } = [];

    public IReadOnlyList<UwsResultRef> Results { get; init; } = [];

    /// <summary>The phases after which nothing more happens to a job (UWS 1.1 §2.1.3).</summary>
    public static bool IsFinal(string phase) => phase is "COMPLETED" or "ERROR" or "ABORTED" or "ARCHIVED";

    public bool Final => IsFinal(Phase);
}
