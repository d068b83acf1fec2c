namespace ExecutionPlanner.Docker;

/// <summary>
/// The parts of container inspect we use. <see cref="Name"/> is without the leading '/'; <see cref="Image"/> is the
/// reference the container was created from, <see cref="ImageId"/> the image it actually runs (content address).
/// </summary>
public sealed record ContainerDetails(
    string Id,
    string Name,
    string Image,
    ContainerState State,
    IReadOnlyDictionary<string, string> Labels,
    bool Tty)
{
    public string ImageId { get; init; } = "";
}
