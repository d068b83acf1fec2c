namespace ExecutionPlanner.Docker;

/// <summary>
/// The regular files extracted, and the names of entries deliberately not extracted
/// (symbolic and hard links, devices, FIFOs), which could point outside the target or need privileges.
/// </summary>
public sealed record TarExtractionResult(IReadOnlyList<ExtractedFile> Files, IReadOnlyList<string> Skipped)
{
    public long TotalBytes => Files.Sum(f => f.Length);
}
