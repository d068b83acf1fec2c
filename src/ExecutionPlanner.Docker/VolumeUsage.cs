namespace ExecutionPlanner.Docker;

/// <summary>
/// The bytes held by one volume mounted in a container, from <c>GET /system/df</c>: the container, its labels,
/// where the volume is mounted, and its size (-1 when the engine could not measure it).
/// </summary>
public sealed record VolumeUsage(string ContainerId, IReadOnlyDictionary<string, string> Labels, string Destination, long Size);
