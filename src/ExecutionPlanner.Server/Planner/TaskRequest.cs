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

    /// <summary>The data resources' URLs, as offers list them.</summary>
    public IReadOnlyList<string> Data { get; init; } = [];

    /// <summary>Data the server fetches into /uws/inputs/&lt;name&gt; before the container starts.</summary>
    public IReadOnlyList<DataInput> Inputs { get; init; } = [];

    /// <summary>What the request asks for that this service never does (privileged, S3 data, ...): each a NO.</summary>
    public IReadOnlyList<Reason> Refusals { get; init; } = [];

    /// <summary>Where the request asks for published network ports, if it does (NO unless the operator allows it).</summary>
    public string? NetworkPortsPath { get; init; }

    /// <summary>When the client wants the task to start: an ISO 8601 interval (or null: any time soon).</summary>
    public StartWindow? Start { get; init; }

    /// <summary>The 2021 note's maxstartup: start no later than this long after the request.</summary>
    public TimeSpan? StartWithin { get; init; }

    public TimeSpan? Duration { get; init; }

    /// <summary>The request came in the 2021 note's form (tasktype/taskinfo/resources).</summary>
    public bool Note2021 { get; init; }

    public IReadOnlyList<ExplicitCredential> Authentication { get; init; } = [];

    public required RequestPaths Paths { get; init; }
}

/// <summary>A min..max pair; either end may be missing in the request.</summary>
public readonly record struct Range<T>(T? Min, T? Max) where T : struct;

/// <summary>
/// One data resource to stage: its input name (a plain file name), its http(s) URL, where the request
/// gave it, and the name or uuid the client knows it by (volume mounts refer to it by that).
/// </summary>
public sealed record DataInput(string Name, string Url, string Path, string? Reference = null);

/// <summary>The earliest and latest acceptable start.</summary>
public readonly record struct StartWindow(DateTimeOffset Earliest, DateTimeOffset Latest);

/// <summary>One entry of "authentication": a type URI, a mode and the type's own spec (for the bearer type, the token).</summary>
public sealed record ExplicitCredential(string Type, string? Mode, string? Token);

/// <summary>JSON Pointers (RFC 6901) to the request fields, which differ between the forms; the reader fills them in as it finds them.</summary>
public sealed record RequestPaths(
    string Kind, string Image, string CoresMin, string MemoryMin, string StorageMin, string Start, string Duration)
{
    public const string Authentication = "/authentication";

}

/// <summary>Why the service says NO: a JSON Pointer into the request and a sentence.</summary>
public sealed record Reason(string Path, string Text);
