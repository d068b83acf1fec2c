namespace ExecutionPlanner.Docker;

// The engine's JSON shapes, kept internal so the public records stay small and null-free.
#pragma warning disable CA1812 // Instantiated by System.Text.Json.

internal sealed record ContainerCreateBody(
    string Image,
    IReadOnlyList<string>? Cmd,
    IReadOnlyList<string>? Entrypoint,
    IReadOnlyList<string>? Env,
    IReadOnlyDictionary<string, string>? Labels,
    string? User,
    string? WorkingDir,
    string? StopSignal,
    int? StopTimeout,
    IReadOnlyDictionary<string, object>? Volumes,
    ContainerHostConfig? HostConfig,
    bool? NetworkDisabled)
{
    // Without a TTY the output is multiplexed, which is what lets us separate stdout from stderr.
    public bool Tty { get; }
    public bool OpenStdin { get; }
    public bool AttachStdin { get; }
}

internal sealed record CreateResponseWire(string Id, IReadOnlyList<string>? Warnings);

internal sealed record WaitResponseWire(long StatusCode, WaitErrorWire? Error);

internal sealed record WaitErrorWire(string? Message);

internal sealed record ContainerInspectWire(string Id, string? Name, string? Image, ContainerStateWire? State, ContainerConfigWire? Config);

internal sealed record ContainerStateWire(
    string? Status, bool Running, long ExitCode, bool OomKilled, string? Error, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

internal sealed record ContainerConfigWire(
    string? Image,
    string? User,
    string? WorkingDir,
    bool Tty,
    IReadOnlyList<string>? Env,
    IReadOnlyList<string>? Cmd,
    IReadOnlyList<string>? Entrypoint,
    IReadOnlyDictionary<string, string>? Labels);

internal sealed record ContainerSummaryWire(
    string Id, IReadOnlyList<string>? Names, string? Image, string? State, string? Status,
    IReadOnlyDictionary<string, string>? Labels, long Created);

internal sealed record ImageInspectWire(string Id, ContainerConfigWire? Config);

internal sealed record DiskUsageWire(IReadOnlyList<DiskUsageContainerWire>? Containers, IReadOnlyList<DiskUsageVolumeWire>? Volumes);

internal sealed record DiskUsageContainerWire(string Id, IReadOnlyDictionary<string, string>? Labels, IReadOnlyList<MountPointWire>? Mounts);

internal sealed record MountPointWire(string? Type, string? Name, string? Destination);

internal sealed record DiskUsageVolumeWire(string Name, VolumeUsageWire? UsageData);

internal sealed record VolumeUsageWire(long Size);
