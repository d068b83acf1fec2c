namespace ExecutionPlanner.Docker;

/// <summary>The parts of image inspect we use: the id and the image's run defaults.</summary>
public sealed record ImageDetails(
    string Id,
    string? User,
    string? WorkingDir,
    IReadOnlyList<string> Env,
    IReadOnlyList<string> Cmd,
    IReadOnlyList<string> Entrypoint,
    IReadOnlyDictionary<string, string> Labels);
