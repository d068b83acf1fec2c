using System.Text;
using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Persistence;
using Microsoft.Extensions.Options;
using ExecutionPlanner.Server.Jobs.Store;

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
    /// <summary>It wrote more than the service allows into /uws and was killed.</summary>
    ResultsTooLarge,
}

/// <summary>
/// Reads what a container left behind, through the Engine API only (never host paths): exit code and OOM flag,
/// stdout and stderr (bounded by Execution:MaxLogBytes), and the files in /uws/results (bounded by
/// Execution:MaxResultBytes and MaxResultFiles), and decides the job's final phase, its error texts and messages.
/// Nothing a container printed or named can break the job: texts are cleaned (<see cref="DisplayText"/>), names
/// mapped (<see cref="ResultNames"/>), and every cut or skip is said in a message.
/// </summary>
public sealed class OutcomeCollector(DockerEngineClient docker, IOptions<ExecutionOptions> options, TimeProvider clock)
{
    const int StderrTailLines = 5;
    const int KilledExitCode = 137;
    const int OomEventLooks = 30;

    public async Task<JobOutcome> CollectAsync(string containerId, ClaimedJob job, CollectReason why, string? lostNode, CancellationToken ct)
    {
        var o = options.Value;
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        // Independent reads of a stopped container: issued together, not one after another
        // (each is an engine round trip on the path from the container's exit to the job's end).
        var inspecting = docker.InspectContainerAsync(containerId, ct);
        var copyingLogs = docker.CopyLogsAsync(containerId, stdout, stderr,
            new ContainerLogsOptions { Limits = new LogByteLimits(o.MaxLogBytes, o.MaxLogBytes) }, ct);
        var downloading = ReadResultsAsync(containerId, job.Id, ct);
        await Task.WhenAll(inspecting, copyingLogs, downloading);
        var state = (await inspecting).State;
        for (var look = 0; why == CollectReason.Exited && look < OomEventLooks && state is { OomKilled: false, ExitCode: KilledExitCode }; look++)
        {
            // The engine records an OOM kill from a separate event that can land just after the exit: a SIGKILLed
            // container is looked at again briefly, so an out-of-memory job is not reported as a bare exit code 137.
            await Task.Delay(TimeSpan.FromMilliseconds(100), clock, ct);
            state = (await docker.InspectContainerAsync(containerId, ct)).State;
        }
        var logs = await copyingLogs;
        var (results, notes, resultsProblem) = await downloading;

        var messages = new List<string>();
        if (logs.StdoutTruncated)
        {
            messages.Add($"stdout was cut after {MemoryQuantity.Format(o.MaxLogBytes)}: {logs.StdoutTruncatedBytes} more bytes were not kept.");
        }
        if (logs.StderrTruncated)
        {
            messages.Add($"stderr was cut after {MemoryQuantity.Format(o.MaxLogBytes)}: {logs.StderrTruncatedBytes} more bytes were not kept.");
        }
        messages.AddRange(notes);
        results.Add(Log(job.Id, "stdout", stdout));
        results.Add(Log(job.Id, "stderr", stderr));
        var stderrText = DisplayText.Clean(Encoding.UTF8.GetString(stderr.GetBuffer(), 0, (int)stderr.Length)
            + (logs.StderrTruncated ? $"\n[{logs.StderrTruncatedBytes} more bytes of stderr were cut]" : string.Empty));
        var detail = stderrText.Trim().Length == 0 ? null : stderrText;
        var exit = (int)state.ExitCode;

        var outcome = why switch
        {
            CollectReason.Overran => new JobOutcome(ExecutionPhase.ABORTED,
                $"executionDuration of {job.ExecutionDuration} s exceeded: the container was killed. Results written so far are kept.",
                detail, exit, results),
            CollectReason.Aborted => new JobOutcome(ExecutionPhase.ABORTED, null, null, exit, results),
            CollectReason.LostWithNode => new JobOutcome(ExecutionPhase.ERROR,
                $"The job was lost with its node {lostNode}: that server stopped while the container was running, " +
                "so the container was killed. Results written so far are kept.", detail, exit, results) { ErrorIsTransient = true },
            CollectReason.ResultsTooLarge => new JobOutcome(ExecutionPhase.ERROR,
                $"The job wrote more than this service's limit of {MemoryQuantity.Format(o.MaxResultBytes)} into /uws, so the container was killed. " +
                "No results were kept.", detail, exit, [.. results.Where(r => r.Name is "stdout" or "stderr")]),
            _ when state.OomKilled => new JobOutcome(ExecutionPhase.ERROR,
                $"The container ran out of memory and was killed (exit code {exit}); ask for more with the 'memory' parameter.",
                detail, exit, results),
            _ when exit != 0 => new JobOutcome(ExecutionPhase.ERROR, ExitSummary(exit, stderrText), detail, exit, results),
            _ when resultsProblem is not null => new JobOutcome(ExecutionPhase.ERROR, resultsProblem, detail, exit, results),
            _ => new JobOutcome(ExecutionPhase.COMPLETED, null, null, exit, results),
        };
        if (why is CollectReason.Overran or CollectReason.LostWithNode or CollectReason.ResultsTooLarge || state.OomKilled)
        {
            messages.Insert(0, outcome.ErrorSummary!);
        }
        else if (resultsProblem is not null)
        {
            messages.Add(resultsProblem);
        }
        return outcome with { Messages = messages };
    }

    /// <summary>The files in /uws/results, the notes on names, and the problem that kept them all out, if any.</summary>
    async Task<ResultArchive.Contents> ReadResultsAsync(string containerId, string jobId, CancellationToken ct)
    {
        var o = options.Value;
        await using var tar = await docker.GetArchiveAsync(containerId, ContainerSpecFactory.ResultsPath + "/.", ct);
        return tar is null
            ? new ResultArchive.Contents([], ["The job removed /uws/results, so it has no result files."], null)
            : await ResultArchive.ReadAsync(tar, jobId, o.MaxResultBytes, o.MaxResultFiles, ct);
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

    /// <summary>
    /// The errorSummary of a container that ended by itself with a non-zero exit code and no confirmed OOM kill.
    /// 137 is SIGKILL. This server's own kills are ruled out here (the container ended by itself), which leaves the
    /// kernel's OOM killer as the usual sender, besides the job itself or an operator's `docker kill`. The engine's
    /// OOM flag comes from containerd, whose cgroup v1 watcher drops the event when the container's cgroup is already
    /// gone (seen in CI under load: still unset after 3 s of looks). So the summary names the likely cause and says it
    /// is unconfirmed, rather than leave a scientist with a bare exit code.
    /// </summary>
    internal static string ExitSummary(int exit, string stderrText) => (exit == KilledExitCode
        ? $"Exit code {exit}: the container was killed (SIGKILL), most likely because it ran out of memory, though the engine " +
          "did not report an out-of-memory kill; if so, ask for more with the 'memory' parameter."
        : $"Exit code {exit}.") + Tail(stderrText);

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
