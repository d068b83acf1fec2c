namespace ExecutionPlanner.Docker;

/// <summary>The parts of container inspect we use. <see cref="Name"/> is without the leading '/'.</summary>
public sealed record ContainerDetails(
    string Id,
    string Name,
    string Image,
    ContainerState State,
    IReadOnlyDictionary<string, string> Labels,
    bool Tty);
