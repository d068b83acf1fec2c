using System.Text;
using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Persistence;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Execution;

/// <summary>Why a finished (or killed) container's outcome is being collected.</summary>
public enum CollectReason
{
    /// <summary>The container ended by itself.</summary>
    Exited,
    /// <summary>It ran past executionDuration and was killed.</summary>
    Overran,
    /// <summary>Its owner aborted it and it was killed.</summary>
    Aborted,
    /// <summary>Its node died while it ran; the reaper killed it.</summary>
    LostWithNode,
}

/// <summary>
/// Reads what a container left behind, through the Engine API only (never host paths): exit code
/// and OOM flag, stdout and stderr (bounded by Execution:MaxLogBytes), and the files in /uws/results
/// (bounded by Execution:MaxResultBytes), and decides the job's final phase and message.
/// </summary>
public sealed class OutcomeCollector(DockerEngineClient docker, ResultsDirectoryProbe resultsProbe, IOptions<ExecutionOptions> options)
{
    const int StderrTailLines = 5;
    static readonly FileExtensionContentTypeProvider MimeTypes = new();

    /// <summary>
    /// Collects the stopped container's outcome. <paramref name="resultsBeforeStart"/> is the results directory's
    /// stat taken before the start (null when unknown, as for a container found by the reaper): with it, the
    /// archive download is skipped when <see cref="ResultsDirectoryProbe"/> shows nothing was written.
    /// </summary>
    public async Task<JobOutcome> CollectAsync(
        string containerId, ClaimedJob job, CollectReason why, string? lostNode, ContainerPathStat? resultsBeforeStart, CancellationToken ct)
    {
        var o = options.Value;
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        // Independent reads of a stopped container: issued together, not one after another
        // (each is an engine round trip on the path from the container's exit to the job's end).
        var inspecting = docker.InspectContainerAsync(containerId, ct);
        var copyingLogs = docker.CopyLogsAsync(containerId, stdout, stderr,
            new ContainerLogsOptions { Limits = new LogByteLimits(o.MaxLogBytes, o.MaxLogBytes) }, ct);
        var statting = resultsBeforeStart is null ? Task.FromResult<ContainerPathStat?>(null) : resultsProbe.StatAsync(containerId, ct);
        var downloading = resultsBeforeStart is null ? ReadResultsOrProblemAsync(containerId, job.Id, o.MaxResultBytes, ct) : null;
        await Task.WhenAll(inspecting, copyingLogs, statting, downloading ?? Task.CompletedTask);
        var details = await inspecting;
        var state = details.State;
        var logs = await copyingLogs;
        var resultsAfterExit = await statting;
        if (downloading is null && !resultsProbe.ShowsNothingWritten(details.ImageId, resultsBeforeStart, resultsAfterExit))
        {
            downloading = ReadResultsOrProblemAsync(containerId, job.Id, o.MaxResultBytes, ct);
        }
        var (results, resultsProblem, downloadWasEmpty) = downloading is null ? ([], null, true) : await downloading;
        if (downloading is not null)
        {
            resultsProbe.Learn(details.ImageId, resultsBeforeStart, resultsAfterExit, downloadWasEmpty);
        }
        results.Add(Log(job.Id, "stdout", stdout));
        results.Add(Log(job.Id, "stderr", stderr));
        var stderrText = Encoding.UTF8.GetString(stderr.GetBuffer(), 0, (int)stderr.Length)
            + (logs.StderrTruncated ? $"\n[{logs.StderrTruncatedBytes} more bytes of stderr were cut]" : string.Empty);
        var exit = (int)state.ExitCode;

        return why switch
        {
            CollectReason.Overran => new JobOutcome(ExecutionPhase.ABORTED,
                $"executionDuration of {job.ExecutionDuration} s exceeded: the container was killed. Results written so far are kept.",
                null, exit, results),
            CollectReason.Aborted => new JobOutcome(ExecutionPhase.ABORTED, null, null, exit, results),
            CollectReason.LostWithNode => new JobOutcome(ExecutionPhase.ERROR,
                $"The job was lost with its node {lostNode}: that server stopped while the container was running, " +
                "so the container was killed. Results written so far are kept.", null, exit, results) { ErrorIsTransient = true },
            _ when state.OomKilled => new JobOutcome(ExecutionPhase.ERROR,
                $"The container ran out of memory and was killed (exit code {exit}); ask for more with the 'memory' parameter.",
                stderrText, exit, results),
            _ when exit != 0 => new JobOutcome(ExecutionPhase.ERROR,
                $"Exit code {exit}." + Tail(stderrText), stderrText, exit, results),
            _ when resultsProblem is not null => new JobOutcome(ExecutionPhase.ERROR, resultsProblem, null, exit, results),
            _ => new JobOutcome(ExecutionPhase.COMPLETED, null, null, exit, results),
        };
    }

    /// <summary>The files in /uws/results, or why none were kept; and whether the download held no entry at all.</summary>
    async Task<(List<JobFileEntity> Files, string? Problem, bool Empty)> ReadResultsOrProblemAsync(
        string containerId, string jobId, long maxBytes, CancellationToken ct)
    {
        try
        {
            var (files, empty) = await ReadResultsAsync(containerId, jobId, maxBytes, ct);
            return (files, null, empty);
        }
        catch (TarSizeLimitExceededException)
        {
            return ([], $"The files in /uws/results exceed this service's limit of {MemoryQuantity.Format(maxBytes)}; none were kept.", false);
        }
    }

    async Task<(List<JobFileEntity> Files, bool Empty)> ReadResultsAsync(string containerId, string jobId, long maxBytes, CancellationToken ct)
    {
        var files = new List<JobFileEntity>();
        await using var tar = await docker.GetArchiveAsync(containerId, ContainerSpecFactory.ResultsPath + "/.", ct);
        if (tar is null)
        {
            return (files, false);
        }
        var dir = Directory.CreateTempSubdirectory("ep-results-");
        try
        {
            var extracted = await TarArchives.ExtractToDirectoryAsync(tar, dir.FullName, maxBytes, ct);
            // Empty: not even a directory or a skipped link (a directory could be written into unseen).
            var empty = extracted.Skipped.Count == 0 && !Directory.EnumerateFileSystemEntries(dir.FullName).Any();
            foreach (var file in extracted.Files)
            {
                var name = file.RelativePath.Replace('\\', '/');
                if (name is "stdout" or "stderr")
                {
                    // The logs own these names; the container's file keeps its content under another.
                    name = "results/" + name;
                }
                files.Add(new JobFileEntity
                {
                    JobId = jobId,
                    Kind = JobFileKind.Result,
                    Name = name,
                    MimeType = MimeTypes.TryGetContentType(name, out var mime) ? mime : "application/octet-stream",
                    Size = file.Length,
                    Content = await File.ReadAllBytesAsync(Path.Combine(dir.FullName, file.RelativePath), ct),
                });
            }
            return (files, empty);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    static JobFileEntity Log(string jobId, string name, MemoryStream content) => new()
    {
        JobId = jobId,
        Kind = JobFileKind.Result,
        Name = name,
        MimeType = "text/plain; charset=utf-8",
        Size = content.Length,
        Content = content.ToArray(),
    };

    /// <summary>The last lines of stderr, for the errorSummary.</summary>
    static string Tail(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0)
        {
            return " stderr was empty.";
        }
        var tail = string.Join('\n', lines.TakeLast(StderrTailLines));
        return " Last lines of stderr:\n" + (tail.Length > 2000 ? tail[^2000..] : tail);
    }
}
