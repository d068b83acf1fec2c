using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Persistence;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// Destroys jobs whose destruction time has passed (UWS §2.1.5, option (a): the job is forgotten and
/// later GETs give 404). Every node may sweep; deletes are idempotent, so two sweepers never conflict.
/// A running job's node hears the deletion through NOTIFY and stops the container.
/// </summary>
public sealed partial class DestructionSweeper(
    IServiceScopeFactory scopes,
    IOptionsMonitor<JobsOptions> options,
    TimeProvider clock,
    ILogger<DestructionSweeper> logger) : BackgroundService
{
    const int BatchSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var destroyed = await SweepOnceAsync(stoppingToken);
                if (destroyed > 0)
                {
                    LogDestroyed(logger, destroyed);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogSweepFailed(logger, ex);
            }
            await Task.Delay(options.CurrentValue.DestructionSweepInterval, clock, stoppingToken);
        }
    }

    /// <summary>Deletes every job past its destruction time, in batches; returns how many.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        var total = 0;
        int deleted;
        do
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<UwsDbContext>();
            var now = clock.GetUtcNow();
            deleted = await db.DestroyExpiredAsync(now, BatchSize, ct);
            total += deleted;
        }
        while (deleted == BatchSize);
        return total;
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Destroyed {Count} jobs past their destruction time")]
    static partial void LogDestroyed(ILogger logger, int count);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Destruction sweep failed; trying again next interval")]
    static partial void LogSweepFailed(ILogger logger, Exception ex);
}
