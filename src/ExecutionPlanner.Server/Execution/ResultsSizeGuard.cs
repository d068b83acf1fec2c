using ExecutionPlanner.Docker;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Bounds what a running job may write into its /uws volume, while it runs: once a running job has gone
/// Execution:ResultsCheckInterval without a measurement (counted from its claim, before its container started), the
/// engine measures this node's job volumes (one <c>/system/df</c> for all running jobs), and a job holding more than
/// Execution:MaxResultBytes plus its uploads is told to stop; its run kills the container and ends it in ERROR
/// saying so. So every job is measured within one interval of its start and every interval after that, and a job
/// can overshoot only by what it writes in one interval; no single file can pass MaxResultBytes (RLIMIT_FSIZE,
/// <see cref="ContainerSpecFactory"/>). A job that ends within one interval is never measured: a measurement is
/// costly for the engine (it walks every volume and sizes every image: about 80 ms of dockerd's CPU with 500 images
/// on Docker 20.10), and the limit applies again when the results are collected. If the engine cannot measure, the
/// check is tried again one interval later.
/// </summary>
public sealed partial class ResultsSizeGuard(
    DockerEngineClient docker,
    RunningJobs running,
    ExecutionNode node,
    IOptions<ExecutionOptions> options,
    TimeProvider clock,
    ILogger<ResultsSizeGuard> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = UntilNextCheck(running.All, clock.GetUtcNow(), o.ResultsCheckInterval);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock, stoppingToken);
                continue;
            }
            try
            {
                await CheckAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogCheckFailed(logger, ex);
                await Task.Delay(o.ResultsCheckInterval, clock, stoppingToken);
            }
        }
    }

    /// <summary>
    /// How long until one of <paramref name="jobs"/> has gone <paramref name="interval"/> without a measurement: zero
    /// when one has, and never more than one interval (a job claimed while the guard waits is due no sooner).
    /// </summary>
    internal static TimeSpan UntilNextCheck(IEnumerable<RunningJob> jobs, DateTimeOffset now, TimeSpan interval)
    {
        var wait = interval;
        foreach (var job in jobs)
        {
            var left = job.SizeMeasuredAt + interval - now;
            if (left < wait)
            {
                wait = left;
            }
        }
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    public async Task CheckAsync(CancellationToken ct)
    {
        var jobs = running.All.ToDictionary(j => j.Job.Id, StringComparer.Ordinal);
        if (jobs.Count == 0)
        {
            return;
        }
        var limit = options.Value.MaxResultBytes;
        // The sizes are of now or later: every job in the snapshot counts as measured from this instant.
        var measuredAt = clock.GetUtcNow();
        foreach (var usage in await docker.GetVolumeUsageAsync(ContainerLabels.Job, ct))
        {
            if (usage.Destination == ContainerSpecFactory.UwsPath
                && usage.Labels.GetValueOrDefault(ContainerLabels.Instance) == node.Instance
                && usage.Labels.TryGetValue(ContainerLabels.Job, out var jobId)
                && jobs.TryGetValue(jobId, out var job)
                && usage.Size > limit + job.InputBytes)
            {
                LogTooLarge(logger, jobId, usage.Size);
                job.RequestStop(StopReason.ResultsTooLarge);
            }
        }
        foreach (var job in jobs.Values)
        {
            job.SizeMeasuredAt = measuredAt;
        }
    }

    [LoggerMessage(EventId = 1801, Level = LogLevel.Warning, Message = "Measuring the jobs' /uws volumes failed; trying again next period")]
    static partial void LogCheckFailed(ILogger logger, Exception ex);

    [LoggerMessage(EventId = 1802, Level = LogLevel.Warning, Message = "Job {JobId} holds {Bytes} bytes in /uws, over the limit: stopping it")]
    static partial void LogTooLarge(ILogger logger, string jobId, long bytes);
}
