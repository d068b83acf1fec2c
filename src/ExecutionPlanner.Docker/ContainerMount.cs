namespace ExecutionPlanner.Docker;

/// <summary>
/// One entry of <c>HostConfig.Mounts</c>. For an anonymous volume give <see cref="Type"/> <c>volume</c> and
/// only the <see cref="Target"/>; it is removed with the container when removed with volumes.
/// </summary>
public sealed record ContainerMount(string Type, string Target)
{
    public VolumeMountOptions? VolumeOptions { get; init; }

    /// <summary>An anonymous volume at <paramref name="target"/> that starts empty, whatever the image holds there.</summary>
    public static ContainerMount EmptyVolume(string target) => new("volume", target) { VolumeOptions = new VolumeMountOptions(NoCopy: true) };

    /// <summary>An anonymous volume at <paramref name="target"/> that starts as a copy of what the image holds there (owners and modes kept).</summary>
    public static ContainerMount ImageVolume(string target) => new("volume", target) { VolumeOptions = new VolumeMountOptions(NoCopy: false) };
}

/// <summary>
/// <see cref="NoCopy"/>: do not copy the image's content (and ownership) at the target into a new volume.
/// </summary>
public sealed record VolumeMountOptions(bool NoCopy);
