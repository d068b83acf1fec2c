using System.Collections.Concurrent;
using ExecutionPlanner.Docker;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Tells, without copying anything, when a finished container certainly left nothing in /uws/results, so
/// that its outcome is collected without the archive download (the engine starts a tar process for each
/// download: about 100 ms of CPU, the largest part of collecting a trivial job's outcome).
/// <para>
/// The guarantee: the download is skipped only when (1) the directory's modification time after the
/// exit is exactly what it was before the start, and (2) the container's image is known to put nothing
/// in /uws/results. Creating, removing or renaming an entry in a directory sets its modification time
/// to the current time, and with no entries at the start nothing can be written further down without
/// creating one. (2) is learned per image ID from an earlier run whose directory kept its time and whose
/// download was empty: the volume starts as a copy of the image's directory, and nothing in it was touched.
/// A job that creates files and then sets the directory's time back hides its own results, nobody else's.
/// </para>
/// </summary>
public sealed class ResultsDirectoryProbe(DockerEngineClient docker)
{
    // Image IDs are content addresses; an operator's policy allows few images, so this stays small.
    const int MaxImages = 1024;
    readonly ConcurrentDictionary<string, bool> imagePutsNothing = new(StringComparer.Ordinal);

    /// <summary>The results directory's stat, or null when it cannot be had (the download then always runs).</summary>
    public async Task<ContainerPathStat?> StatAsync(string containerId, CancellationToken ct)
    {
        try
        {
            return await docker.StatPathAsync(containerId, ContainerSpecFactory.ResultsPath, ct);
        }
        catch (DockerEngineException)
        {
            return null;
        }
    }

    /// <summary>True only when the container certainly wrote nothing to /uws/results (see the class's guarantee).</summary>
    public bool ShowsNothingWritten(string imageId, ContainerPathStat? beforeStart, ContainerPathStat? afterExit) =>
        Untouched(beforeStart, afterExit) && imagePutsNothing.TryGetValue(imageId, out var nothing) && nothing;

    /// <summary>Learns from a download whether the image puts anything in /uws/results (only from untouched runs).</summary>
    public void Learn(string imageId, ContainerPathStat? beforeStart, ContainerPathStat? afterExit, bool downloadWasEmpty)
    {
        if (imageId.Length == 0 || !Untouched(beforeStart, afterExit))
        {
            return;
        }
        if (imagePutsNothing.Count >= MaxImages)
        {
            imagePutsNothing.Clear();
        }
        imagePutsNothing[imageId] = downloadWasEmpty;
    }

    static bool Untouched(ContainerPathStat? beforeStart, ContainerPathStat? afterExit) =>
        beforeStart is { IsDirectory: true } && afterExit is { IsDirectory: true }
        && string.Equals(beforeStart.ModifiedAt, afterExit.ModifiedAt, StringComparison.Ordinal);
}
