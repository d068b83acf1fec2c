using ExecutionPlanner.Docker;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Bounds what a running job may write into its /uws volume, while it runs: every
/// Execution:ResultsCheckInterval the engine measures this node's job volumes (one <c>/system/df</c> for all),
/// and a job holding more than Execution:MaxResultBytes plus its uploads is told to stop; its run kills the
/// container and ends it in ERROR saying so. Between two measurements a job can still write what its speed
/// allows, but no single file can pass MaxResultBytes (RLIMIT_FSIZE, <see cref="ContainerSpecFactory"/>), so the
/// overshoot is bounded by the interval. If the engine cannot measure, the check is skipped until it can (the
/// limit applies again when the results are collected).
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
        using var timer = new PeriodicTimer(o.ResultsCheckInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogCheckFailed(logger, ex);
            }
        }
    }

    public async Task CheckAsync(CancellationToken ct)
    {
        var jobs = running.All.ToDictionary(j => j.Job.Id, StringComparer.Ordinal);
        if (jobs.Count == 0)
        {
            return;
        }
        var limit = options.Value.MaxResultBytes;
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
    }

    [LoggerMessage(EventId = 1801, Level = LogLevel.Warning, Message = "Measuring the jobs' /uws volumes failed; trying again next period")]
    static partial void LogCheckFailed(ILogger logger, Exception ex);

    [LoggerMessage(EventId = 1802, Level = LogLevel.Warning, Message = "Job {JobId} holds {Bytes} bytes in /uws, over the limit: stopping it")]
    static partial void LogTooLarge(ILogger logger, string jobId, long bytes);
}
