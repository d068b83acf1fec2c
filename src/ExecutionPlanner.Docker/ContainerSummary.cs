namespace ExecutionPlanner.Docker;

/// <summary>One entry of the container list. <see cref="Names"/> are without the leading '/'.</summary>
public sealed record ContainerSummary(
    string Id,
    IReadOnlyList<string> Names,
    string Image,
    string State,
    string Status,
    IReadOnlyDictionary<string, string> Labels,
    DateTimeOffset Created);
