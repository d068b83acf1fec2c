namespace ExecutionPlanner.Docker;

/// <summary>The resource limits and isolation of a container (the subset of the engine's HostConfig we use).</summary>
public sealed record ContainerHostConfig
{
    /// <summary>Memory limit in bytes.</summary>
    public long? Memory { get; init; }

    /// <summary>Memory plus swap in bytes; equal to <see cref="Memory"/> means no swap, -1 unlimited swap.</summary>
    public long? MemorySwap { get; init; }

    /// <summary>CPU quota in units of 10^-9 CPUs (1.5 cores = 1_500_000_000).</summary>
    public long? NanoCpus { get; init; }

    public long? PidsLimit { get; init; }

    /// <summary>e.g. <c>none</c> for no network at all.</summary>
    public string? NetworkMode { get; init; }

    public IReadOnlyList<string>? CapDrop { get; init; }

    public IReadOnlyList<string>? CapAdd { get; init; }

    /// <summary>e.g. <c>no-new-privileges</c>.</summary>
    public IReadOnlyList<string>? SecurityOpt { get; init; }

    public bool? ReadonlyRootfs { get; init; }

    /// <summary>Mount point to tmpfs options, e.g. <c>/tmp</c> to <c>rw,size=64m</c>.</summary>
    public IReadOnlyDictionary<string, string>? Tmpfs { get; init; }

    /// <summary>Run a minimal init as PID 1, so signals reach the job and zombies are reaped.</summary>
    public bool? Init { get; init; }

    /// <summary>Mounts in the engine's long form (volumes with options such as no copy-up).</summary>
    public IReadOnlyList<ContainerMount>? Mounts { get; init; }

    /// <summary>Size of <c>/dev/shm</c> in bytes (a tmpfs, charged to the container's memory).</summary>
    public long? ShmSize { get; init; }

    /// <summary>Resource limits (setrlimit) for the container's processes, e.g. <c>fsize</c>.</summary>
    public IReadOnlyList<ContainerUlimit>? Ulimits { get; init; }
}
