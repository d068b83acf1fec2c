using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// The planner's clock, every Planner:SweepInterval on every node: marks open offers past their
/// expiry EXPIRED (the ledger stops charging them at expiry anyway, so this is bookkeeping), and prunes
/// the ledger's removal records older than Planner:LedgerRemovalRetention. (HELD jobs are queued at
/// their slot by a Hangfire job scheduled for it, <see cref="Execution.HeldJobRelease"/>.) Each step is
/// idempotent, so nodes sweeping together never conflict; a node dying mid-sweep leaves the rest to the
/// next sweep.
/// </summary>
public sealed partial class OfferSweeper(
    OfferStore offers, LedgerStore ledger, IOptionsMonitor<PlannerOptions> options, TimeProvider clock,
    ILogger<OfferSweeper> logger) : BackgroundService
{
    /// <summary>A transaction id every transaction below which had ended, and when it was observed.</summary>
    (ulong Xmin, DateTimeOffset ObservedAt)? pruneCandidate;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogSweepFailed(logger, ex);
            }
            await Task.Delay(options.CurrentValue.SweepInterval, clock, stoppingToken);
        }
    }

    public async Task SweepOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await offers.ExpireAsync(now, ct);
        await PruneLedgerRemovalsAsync(now, ct);
    }

    /// <summary>
    /// Prunes removal records below an xmin observed at least Planner:LedgerRemovalRetention ago. Every
    /// node that has booked since then read in a snapshot whose xmin is at least that high (xmin only
    /// grows), so it needs none of them; a node that has not is sent to a whole read by the horizon.
    /// </summary>
    async Task PruneLedgerRemovalsAsync(DateTimeOffset now, CancellationToken ct)
    {
        if (pruneCandidate is { } candidate && now - candidate.ObservedAt >= options.CurrentValue.LedgerRemovalRetention)
        {
            await ledger.PruneRemovalsAsync(candidate.Xmin, ct);
            pruneCandidate = null;
        }
        pruneCandidate ??= (await ledger.CurrentXminAsync(ct), now);
    }

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Offer sweep failed; trying again next interval")]
    static partial void LogSweepFailed(ILogger logger, Exception ex);
}
