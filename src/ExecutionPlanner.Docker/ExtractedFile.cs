namespace ExecutionPlanner.Docker;

/// <summary>A regular file written by <see cref="TarArchives.ExtractToDirectoryAsync"/>: its '/'-separated path relative to the target, and size.</summary>
public sealed record ExtractedFile(string RelativePath, long Length);
