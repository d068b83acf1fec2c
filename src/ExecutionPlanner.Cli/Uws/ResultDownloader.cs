namespace ExecutionPlanner.Cli.Uws;

/// <summary>Fetches every result of a job into a folder, one file per result id (ids with / keep their subfolders).</summary>
internal sealed class ResultDownloader(UwsService uws)
{
    public async Task<IReadOnlyList<(UwsResultRef Result, string Path, long Bytes)>> DownloadAllAsync(Uri job, IReadOnlyList<UwsResultRef> results, string folder, CancellationToken ct)
    {
        var root = Path.GetFullPath(folder);
        var done = new List<(UwsResultRef, string, long)>();
        foreach (var result in results)
        {
            var path = SafePath(root, result.Id);
            done.Add((result, path, await uws.DownloadAsync(job, result.Href, path, ct)));
        }
        return done;
    }

    /// <summary>A result id is the service's word: it never gets to write outside the folder.</summary>
    static string SafePath(string root, string id)
    {
        var parts = id.Split('/', '\\').Where(p => p.Length > 0 && p != "." && p != "..").Select(p => string.Concat(p.Select(c => Path.GetInvalidFileNameChars().Contains(c) ? '_' : c)));
        var relative = Path.Combine(parts.DefaultIfEmpty("result").ToArray());
        var path = Path.GetFullPath(Path.Combine(root, relative));
        return path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? path : Path.Combine(root, "result");
    }
}
