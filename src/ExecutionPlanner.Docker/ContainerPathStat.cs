namespace ExecutionPlanner.Docker;

/// <summary>
/// What the engine says of a path in a container (<c>X-Docker-Container-Path-Stat</c>). <see cref="ModifiedAt"/>
/// is the modification time in round-trip form (UTC, 100 ns resolution): two stats of one path are compared exactly.
/// </summary>
public sealed record ContainerPathStat(string Name, long Size, uint Mode, string ModifiedAt, string? LinkTarget)
{
    /// <summary>Go's os.ModeDir bit, as the engine encodes the file mode.</summary>
    const uint GoModeDir = 1u << 31;

    public bool IsDirectory => (Mode & GoModeDir) != 0;
}
