namespace ExecutionPlanner.Docker;

/// <summary>
/// What to create. Containers are always created without a TTY and without stdin, so their output
/// comes back multiplexed and stdout can be told from stderr.
/// </summary>
public sealed record ContainerSpec(string Image)
{
    /// <summary>Command arguments, passed to the entrypoint as they are (never through a shell).</summary>
    public IReadOnlyList<string>? Cmd { get; init; }

    public IReadOnlyList<string>? Entrypoint { get; init; }

    /// <summary>Environment as <c>NAME=value</c> entries.</summary>
    public IReadOnlyList<string>? Env { get; init; }

    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary><c>name</c>, <c>uid</c> or <c>uid:gid</c>; null keeps the image's user.</summary>
    public string? User { get; init; }

    public string? WorkingDir { get; init; }

    public string? StopSignal { get; init; }

    /// <summary>Seconds between the stop signal and SIGKILL when the container is stopped.</summary>
    public int? StopTimeout { get; init; }

    /// <summary>
    /// Paths that get an anonymous volume: writable even with a read-only root file system, reachable
    /// by the archive endpoints, and removed with the container (remove with volumes).
    /// </summary>
    public IReadOnlyList<string>? Volumes { get; init; }

    public ContainerHostConfig? HostConfig { get; init; }

    /// <summary>
    /// No networking at all (<c>Config.NetworkDisabled</c>): the runtime gives the container a fresh network
    /// namespace with only loopback, and the engine sets up no network sandbox. Same isolation as
    /// <c>NetworkMode=none</c>, but that mode makes the engine build (and later tear down) a sandbox of
    /// its own, about 150 to 250 ms per container on the benchmark machine (docs/benchmarks-execution.md).
    /// </summary>
    public bool NetworkDisabled { get; init; }
}
