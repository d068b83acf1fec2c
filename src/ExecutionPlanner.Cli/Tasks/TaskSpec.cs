namespace ExecutionPlanner.Cli.Tasks;

/// <summary>
/// What the user wants run, whatever it was written in (flags, a plain task file, an ExecutionBroker or a
/// 2021 Note request): a docker-container executable and the resources it needs. Memory in GiB, as the
/// planner speaks it.
/// </summary>
internal sealed record TaskSpec
{
    public const string DockerKind = "https://www.purl.org/ivoa.net/EB/schema/v1.0/types/executable/docker-container-1.0";

    public string? Name { get; init; }

    public string? Image { get; init; }

    /// <summary>The container's arguments, one each, never through a shell (the simple-docker-uws cmd parameter).</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public decimal? CoresMin { get; init; }

    public decimal? CoresMax { get; init; }

    public decimal? MemoryMinGiB { get; init; }

    public decimal? MemoryMaxGiB { get; init; }

    public TimeSpan? Duration { get; init; }

    /// <summary>The requested start as an ISO 8601 interval or instant, passed through unchanged.</summary>
    public string? Start { get; init; }
}
