namespace ExecutionPlanner.Docker;

/// <summary>
/// One regular file for <see cref="TarArchives.WriteAsync"/>: a relative name (may contain '/'),
/// its content (read from the current position to the end; the caller owns the stream), mode and owner.
/// Or, with <see cref="IsDirectory"/>, a directory of that name with that mode and owner (no content).
/// </summary>
public sealed record TarFileEntry(string Name, Stream Content)
{
    public const UnixFileMode DefaultMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public UnixFileMode Mode { get; init; } = DefaultMode;

    public int Uid { get; init; }

    public int Gid { get; init; }

    public bool IsDirectory { get; init; }

    public static TarFileEntry Directory(string name, UnixFileMode mode) => new(name, Stream.Null) { IsDirectory = true, Mode = mode };

    public static TarFileEntry FromBytes(string name, ReadOnlyMemory<byte> content) =>
        new(name, new MemoryStream(content.ToArray(), writable: false));
}
