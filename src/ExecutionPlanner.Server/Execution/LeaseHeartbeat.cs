using ExecutionPlanner.Server.Jobs.Store;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// One loop per node renews the leases of all its running jobs every fifth of the lease duration.
/// A token the database no longer renews means the job moved on without us (aborted, destroyed, or
/// taken over after we failed to renew in time): that run is told to stop and kill its container.
/// If the database is unreachable we keep trying; should the lease run out meanwhile, the next
/// renewal reports it lost and every later write of ours is fenced out anyway.
/// </summary>
public sealed partial class LeaseHeartbeat(
    RunQueue queue,
    RunningJobs running,
    IOptions<ExecutionOptions> options,
    TimeProvider clock,
    ILogger<LeaseHeartbeat> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(o.HeartbeatInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await BeatAsync(o.LeaseDuration, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogRenewFailed(logger, ex);
            }
        }
    }

    public async Task BeatAsync(TimeSpan lease, CancellationToken ct)
    {
        var jobs = running.All;
        var renewed = await queue.RenewAsync(jobs.Select(j => j.Job.LeaseToken).ToList(), lease, ct);
        foreach (var job in jobs.Where(j => !renewed.Contains(j.Job.LeaseToken)))
        {
            job.RequestStop(StopReason.LeaseLost);
        }
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Lease renewal failed; retrying at the next beat")]
    static partial void LogRenewFailed(ILogger logger, Exception ex);
}
