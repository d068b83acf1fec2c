using System.Formats.Tar;

namespace ExecutionPlanner.Docker;

/// <summary>Builds and unpacks the tar streams that the archive endpoints speak.</summary>
public static class TarArchives
{
    private const UnixFileMode DirectoryMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>
    /// Writes a PAX tar of the entries to <paramref name="destination"/> (left open), adding a directory
    /// entry for every parent directory. Entry names must be relative and free of "..".
    /// </summary>
    public static async Task WriteAsync(IEnumerable<TarFileEntry> entries, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(destination);
        var directories = new HashSet<string>(StringComparer.Ordinal);
        await using var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var entry in entries)
        {
            var name = SafeRelativePath(entry.Name);
            if (name.Length == 0)
            {
                throw new TarEntryRejectedException(entry.Name, "a file needs a name");
            }
            var slash = name.IndexOf('/', StringComparison.Ordinal);
            while (slash >= 0)
            {
                var parent = name[..slash];
                if (directories.Add(parent))
                {
                    await writer.WriteEntryAsync(
                        new PaxTarEntry(TarEntryType.Directory, parent + "/") { Mode = DirectoryMode, Uid = entry.Uid, Gid = entry.Gid },
                        cancellationToken);
                }
                slash = name.IndexOf('/', slash + 1);
            }
            if (entry.IsDirectory)
            {
                if (directories.Add(name))
                {
                    await writer.WriteEntryAsync(
                        new PaxTarEntry(TarEntryType.Directory, name + "/") { Mode = entry.Mode, Uid = entry.Uid, Gid = entry.Gid },
                        cancellationToken);
                }
                continue;
            }
            await writer.WriteEntryAsync(
                new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = entry.Content,
                    Mode = entry.Mode,
                    Uid = entry.Uid,
                    Gid = entry.Gid,
                },
                cancellationToken);
        }
    }

    /// <summary>Convenience for small inputs: the tar of the entries in memory, positioned at its start.</summary>
    public static async Task<MemoryStream> CreateAsync(IEnumerable<TarFileEntry> entries, CancellationToken cancellationToken)
    {
        var tar = new MemoryStream();
        await WriteAsync(entries, tar, cancellationToken);
        tar.Position = 0;
        return tar;
    }

    /// <summary>
    /// Extracts the directories and regular files of <paramref name="tar"/> below <paramref name="destinationDirectory"/>
    /// (created if missing); other entry types are skipped and listed. A leading "./" is ignored.
    /// Throws <see cref="TarEntryRejectedException"/> for absolute names or names with "..", and
    /// <see cref="TarSizeLimitExceededException"/> as soon as the files would exceed <paramref name="maxTotalBytes"/>.
    /// On an exception, files already written stay: the caller owns (and cleans) the directory.
    /// </summary>
    public static async Task<TarExtractionResult> ExtractToDirectoryAsync(
        Stream tar, string destinationDirectory, long maxTotalBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tar);
        ArgumentException.ThrowIfNullOrWhiteSpace(destinationDirectory);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTotalBytes);

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destinationDirectory));
        Directory.CreateDirectory(root);
        var files = new List<ExtractedFile>();
        var skipped = new List<string>();
        long total = 0;

        await using var reader = new TarReader(tar, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    var directory = SafeRelativePath(entry.Name);
                    Directory.CreateDirectory(Resolve(root, directory, entry.Name));
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    var name = SafeRelativePath(entry.Name);
                    if (name.Length == 0)
                    {
                        throw new TarEntryRejectedException(entry.Name, "a file needs a name");
                    }
                    var target = Resolve(root, name, entry.Name);
                    // Check before writing, from the header: an oversized file is refused without reading it.
                    if (entry.Length > maxTotalBytes - total)
                    {
                        throw new TarSizeLimitExceededException(maxTotalBytes, entry.Name);
                    }
                    total += entry.Length;
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    await using (var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
                    {
                        if (entry.DataStream is { } data)
                        {
                            await data.CopyToAsync(output, cancellationToken);
                        }
                    }
                    files.Add(new ExtractedFile(name, entry.Length));
                    break;
                case TarEntryType.GlobalExtendedAttributes:
                    break; // Metadata for the whole archive, not an entry of its own.
                default:
                    skipped.Add(entry.Name);
                    break;
            }
        }
        return new TarExtractionResult(files, skipped);
    }

    /// <summary>Normalizes a tar entry name to a '/'-separated relative path ("" for the root), or rejects it.</summary>
    internal static string SafeRelativePath(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.StartsWith('/') || Path.IsPathRooted(name))
        {
            throw new TarEntryRejectedException(name, "absolute paths are not allowed");
        }
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw new TarEntryRejectedException(name, "NUL in the name");
        }
        var segments = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToList();
        if (segments.Contains(".."))
        {
            throw new TarEntryRejectedException(name, "'..' would leave the target directory");
        }
        return string.Join('/', segments);
    }

    // Second line of defence after SafeRelativePath: the resolved path must stay inside the root.
    private static string Resolve(string root, string relativePath, string entryName)
    {
        var full = Path.GetFullPath(Path.Combine(root, relativePath));
        if (full != root && !full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new TarEntryRejectedException(entryName, "it resolves outside the target directory");
        }
        return full;
    }
}
