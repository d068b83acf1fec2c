using System.Formats.Tar;
using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Persistence;
using Microsoft.AspNetCore.StaticFiles;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Reads the tar of /uws/results into result rows, in memory: no name a container chose ever touches this
/// server's file system. Regular files are kept under the names <see cref="ResultNames"/> gives; links, devices
/// and files past MaxResultFiles are skipped; each rename or skip becomes a note for the job's messages (at most
/// <see cref="MaxNotes"/>, then a count). Over MaxResultBytes in all, none is kept and the problem is returned.
/// </summary>
public static class ResultArchive
{
    public const int MaxNotes = 20;
    static readonly FileExtensionContentTypeProvider MimeTypes = new();

    public sealed record Contents(List<JobFileEntity> Files, List<string> Notes, string? Problem);

    public static async Task<Contents> ReadAsync(Stream tar, string jobId, long maxBytes, int maxFiles, CancellationToken ct)
    {
        var files = new List<JobFileEntity>();
        var notes = new List<string>();
        var names = new ResultNames();
        long total = 0;
        var overCount = 0;
        var hidden = 0;
        void Note(string? note)
        {
            if (note is null)
            {
                return;
            }
            if (notes.Count < MaxNotes)
            {
                notes.Add(note);
            }
            else
            {
                hidden++;
            }
        }

        await using var reader = new TarReader(tar, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
        {
            switch (entry.EntryType)
            {
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    if (entry.Length > maxBytes - total)
                    {
                        return new Contents([], notes, $"The files in /uws/results exceed this service's limit of {MemoryQuantity.Format(maxBytes)}; none were kept.");
                    }
                    if (files.Count >= maxFiles)
                    {
                        overCount++;
                        continue;
                    }
                    var name = names.Add(entry.Name, out var note);
                    Note(note);
                    if (name is null)
                    {
                        continue;
                    }
                    total += entry.Length;
                    var content = new byte[entry.Length];
                    if (entry.DataStream is { } data)
                    {
                        await data.ReadExactlyAsync(content, ct);
                    }
                    files.Add(new JobFileEntity
                    {
                        JobId = jobId,
                        Kind = JobFileKind.Result,
                        Name = name,
                        MimeType = MimeTypes.TryGetContentType(name, out var mime) ? mime : "application/octet-stream",
                        Size = content.LongLength,
                        Content = content,
                    });
                    break;
                case TarEntryType.Directory or TarEntryType.GlobalExtendedAttributes:
                    break; // Folders show in their files' names; the global header is metadata of the archive.
                default:
                    Note($"The result '{DisplayText.Clean(Trimmed(entry.Name), 200)}' was skipped: it is a {Describe(entry.EntryType)}, not a regular file.");
                    break;
            }
        }
        if (overCount > 0)
        {
            Note($"Only the first {maxFiles} result files were kept; {overCount} more were skipped.");
        }
        if (hidden > 0)
        {
            notes.Add($"… and {hidden} more result files were renamed or skipped.");
        }
        return new Contents(files, notes, null);
    }

    static string Trimmed(string name) => name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name;

    static string Describe(TarEntryType type) => type switch
    {
        TarEntryType.SymbolicLink => "symbolic link",
        TarEntryType.HardLink => "hard link (a second name for another file)",
        TarEntryType.CharacterDevice or TarEntryType.BlockDevice => "device",
        TarEntryType.Fifo => "named pipe",
        _ => $"special file ({type})",
    };
}
