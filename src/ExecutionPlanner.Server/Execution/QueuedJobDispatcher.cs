using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Jobs.Waiting;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Hands QUEUED jobs to Hangfire: every QUEUED row without a Hangfire job gets one (enqueued on the "uws" queue,
/// where any node's worker takes it) and records its id. It is the one enqueue path for every way a job becomes
/// QUEUED (RUN, creation with PHASE=RUN, a held job's slot coming, a requeue after a failed start), woken by the
/// NOTIFY of that commit, so RUN reaches a worker within milliseconds. Because the row is the outbox, a process
/// that dies between the commit of QUEUED and the enqueue loses nothing: the row still has no Hangfire job and
/// the next round (on any node) enqueues it. Runs on every node; FOR UPDATE SKIP LOCKED keeps two nodes from
/// enqueuing the same row, and should a crash still leave two Hangfire jobs for one UWS job, the claim lets only
/// one of them run it. HELD jobs of accepted offers get, the same way, a Hangfire job scheduled for their slot
/// (<see cref="HeldJobRelease"/>). It also repairs QUEUED and HELD jobs whose Hangfire job ended without doing its
/// work (deleted in the dashboard, failed while the database was away, expired).
/// </summary>
public sealed partial class QueuedJobDispatcher(
    JobHandOvers handOvers,
    IBackgroundJobClient hangfire,
    JobStorage storage,
    JobChangeHub changes,
    IOptions<ExecutionOptions> options,
    TimeProvider clock,
    ILogger<QueuedJobDispatcher> logger) : BackgroundService
{
    const int Batch = 50;

    /// <summary>A QUEUED job this long without a claim has its Hangfire job checked (a live one is left alone).</summary>
    static readonly TimeSpan RepairAge = TimeSpan.FromSeconds(30);

    static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(200);
    static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    /// <summary>Hangfire states in which a Hangfire job will still run its UWS job.</summary>
    static readonly HashSet<string> Alive = new(StringComparer.OrdinalIgnoreCase)
    {
        EnqueuedState.StateName, ProcessingState.StateName, ScheduledState.StateName, AwaitingState.StateName,
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = MinBackoff;
        var lookForHeld = true;
        var nextRepair = clock.GetUtcNow() + RepairAge;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await DispatchAsync(stoppingToken) == Batch)
                {
                }
                // HELD rows only when one was announced (or on the poll), so a burst of RUNs does not also read
                // the offers once per wake-up.
                if (lookForHeld)
                {
                    while (await ScheduleHeldAsync(stoppingToken) == Batch)
                    {
                    }
                }
                if (clock.GetUtcNow() >= nextRepair)
                {
                    await RepairAsync(stoppingToken);
                    await CancelUnneededAsync(stoppingToken);
                    nextRepair = clock.GetUtcNow() + RepairAge / 2;
                }
                backoff = MinBackoff;
                var woken = await changes.WaitForQueuedAsync(options.Value.PollInterval, stoppingToken);
                lookForHeld = changes.TakeHeldSignal() || !woken;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogDispatchFailed(logger, backoff, ex);
                lookForHeld = true;
                await Task.Delay(backoff, clock, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    /// <summary>Enqueues up to one batch of QUEUED jobs that have no Hangfire job, oldest first; returns how many.</summary>
    public Task<int> DispatchAsync(CancellationToken ct) => handOvers.HandOverQueuedAsync(Batch, row =>
        {
            var id = row.Id;
            var owner = OwnerName(row.OwnerId);
            return Enqueued(() => hangfire.Create(Job.FromExpression<UwsJobRun>(run => run.RunAsync(id, owner)), new EnqueuedState(UwsJobRun.Queue)));
        }, ct);

    /// <summary>
    /// Schedules, for every HELD job made from an accepted offer that has no Hangfire job yet, the release of the job
    /// at its slot's start (<see cref="HeldJobRelease"/>), and records it on the row: the same outbox as
    /// <see cref="DispatchAsync"/>. Returns how many.
    /// </summary>
    public Task<int> ScheduleHeldAsync(CancellationToken ct) => handOvers.HandOverHeldAsync(Batch, row =>
        {
            var id = row.Id;
            var owner = OwnerName(row.OwnerId);
            var slot = row.Slot;
            var release = Job.FromExpression<HeldJobRelease>(r => r.ReleaseAsync(id, owner, slot), UwsJobRun.Queue);
            return Enqueued(() => slot <= clock.GetUtcNow()
                ? hangfire.Create(release, new EnqueuedState(UwsJobRun.Queue))
                : hangfire.Create(release, new ScheduledState(slot.UtcDateTime)));
        }, ct);

    static string OwnerName(string ownerId) => ownerId.Length == 0 ? "anonymous" : ownerId;

    /// <summary>
    /// Creates the Hangfire job inside the row's hand-over transaction (<see cref="JobHandOvers"/>), which records its
    /// id on the row and commits: a crash anywhere before that commit leaves the row without one, for the next round.
    /// </summary>
    static string Enqueued(Func<string> create)
    {
        CrashPoints.Reach(CrashPoints.BeforeEnqueue);
        var hangfireJobId = create();
        CrashPoints.Reach(CrashPoints.Enqueued);
        return hangfireJobId;
    }

    /// <summary>
    /// Forgets the Hangfire job of QUEUED (and HELD) jobs whose Hangfire job can no longer run (release) them, so
    /// the next round enqueues (schedules) a new one. Returns how many.
    /// </summary>
    public async Task<int> RepairAsync(CancellationToken ct)
    {
        var stale = await handOvers.StaleAsync(RepairAge, ct);
        if (stale.Count == 0)
        {
            return 0;
        }
        var repaired = 0;
        using var hangfireConnection = storage.GetConnection();
        foreach (var (id, hangfireJobId) in stale)
        {
            var state = hangfireConnection.GetStateData(hangfireJobId);
            if (state is not null && Alive.Contains(state.Name))
            {
                continue;
            }
            if (await handOvers.ForgetAsync(id, hangfireJobId, ct))
            {
                repaired++;
                LogRepaired(logger, id, hangfireJobId, state?.Name ?? "gone");
            }
        }
        return repaired;
    }

    /// <summary>
    /// Deletes the Hangfire jobs of UWS jobs that ended before they ever ran (ABORT or an error while QUEUED or
    /// HELD), so they neither show as waiting in the dashboard nor take a worker for nothing. Each row is let go of
    /// first: dying in between leaves a Hangfire job that, when it runs, finds its UWS job not QUEUED and returns.
    /// (A destroyed job's row is gone, and its Hangfire job returns the same way.) Returns how many.
    /// </summary>
    public async Task<int> CancelUnneededAsync(CancellationToken ct)
    {
        var released = await handOvers.ReleaseUnstartedAsync(ct);
        foreach (var hangfireJobId in released)
        {
            // Only from a state where it has not started: a running delivery is left to return by itself.
            _ = hangfire.ChangeState(hangfireJobId, new DeletedState(), EnqueuedState.StateName)
                || hangfire.ChangeState(hangfireJobId, new DeletedState(), ScheduledState.StateName);
        }
        return released.Count;
    }

    [LoggerMessage(EventId = 1701, Level = LogLevel.Warning, Message = "Handing queued jobs to Hangfire failed; retrying in {Backoff}")]
    static partial void LogDispatchFailed(ILogger logger, TimeSpan backoff, Exception ex);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Warning, Message = "Job {JobId} was QUEUED but its Hangfire job {HangfireJobId} is {State}; it is enqueued again")]
    static partial void LogRepaired(ILogger logger, string jobId, string hangfireJobId, string state);
}
