namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// What a client asks the planner for, after reading either request form (ExecutionBroker or the 2021
/// note). Quantities in base units (cores, bytes); every field remembers where it came from in the
/// request (<see cref="RequestPaths"/>) so a NO can point at it.
/// </summary>
public sealed record TaskRequest
{
    public required string Kind { get; init; }

    public string? Name { get; init; }

    public string? Image { get; init; }

    public IReadOnlyList<string> Command { get; init; } = [];

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public Range<decimal>? Cores { get; init; }

    public Range<long>? MemoryBytes { get; init; }

    public Range<long>? StorageBytes { get; init; }

    public IReadOnlyList<string> Data { get; init; } = [];

    /// <summary>When the client wants the task to start: an ISO 8601 interval (or null: any time soon).</summary>
    public StartWindow? Start { get; init; }

    public TimeSpan? Duration { get; init; }

    public IReadOnlyList<ExplicitCredential> Authentication { get; init; } = [];

    public required RequestPaths Paths { get; init; }
}

/// <summary>A min..max pair; either end may be missing in the request.</summary>
public readonly record struct Range<T>(T? Min, T? Max) where T : struct;

/// <summary>The earliest and latest acceptable start.</summary>
public readonly record struct StartWindow(DateTimeOffset Earliest, DateTimeOffset Latest);

/// <summary>One entry of "authentication": a type URI, a mode and the type's own spec (for the bearer type, the token).</summary>
public sealed record ExplicitCredential(string Type, string? Mode, string? Token);

/// <summary>JSON Pointers (RFC 6901) to the request fields, which differ between the two forms.</summary>
public sealed record RequestPaths(
    string Kind, string Image, string CoresMin, string MemoryMin, string StorageMin, string Start, string Duration)
{
    public const string Authentication = "/authentication";

    public static readonly RequestPaths ExecutionBroker = new(
        "/executable/kind", "/executable/image", "/compute/cores/min", "/compute/memory/min",
        "/storage/size/min", "/schedule/requested/start", "/schedule/requested/duration");

    public static readonly RequestPaths Note2021 = new(
        "/tasktype", "/taskinfo/image", "/resources/mincores", "/resources/minmemory",
        "/resources/minstorage", "/schedule/start", "/schedule/duration");
}

/// <summary>Why the service says NO: a JSON Pointer into the request and a sentence.</summary>
public sealed record Reason(string Path, string Text);
