using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Waiting;
using Microsoft.Extensions.Options;
using Npgsql;

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
    NpgsqlDataSource dataSource,
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
        var nextRepair = clock.GetUtcNow() + RepairAge;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await DispatchAsync(stoppingToken) == Batch)
                {
                }
                while (await ScheduleHeldAsync(stoppingToken) == Batch)
                {
                }
                if (clock.GetUtcNow() >= nextRepair)
                {
                    await RepairAsync(stoppingToken);
                    await CancelUnneededAsync(stoppingToken);
                    nextRepair = clock.GetUtcNow() + RepairAge / 2;
                }
                backoff = MinBackoff;
                await changes.WaitForQueuedAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogDispatchFailed(logger, backoff, ex);
                await Task.Delay(backoff, clock, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    /// <summary>Enqueues up to one batch of QUEUED jobs that have no Hangfire job, oldest first; returns how many.</summary>
    public Task<int> DispatchAsync(CancellationToken ct) => HandOverAsync("""
        SELECT id, owner_id FROM jobs WHERE phase = 'QUEUED' AND hangfire_job_id IS NULL
         ORDER BY queued_at, id FOR UPDATE SKIP LOCKED LIMIT 1
        """, reader =>
        {
            var id = reader.GetString(0);
            var owner = OwnerName(reader.GetString(1));
            return () => hangfire.Create(Job.FromExpression<UwsJobRun>(run => run.RunAsync(id, owner)), new EnqueuedState(UwsJobRun.Queue));
        }, ct);

    /// <summary>
    /// Schedules, for every HELD job made from an accepted offer that has no Hangfire job yet, the release of the job
    /// at its slot's start (<see cref="HeldJobRelease"/>), and records it on the row: the same outbox as
    /// <see cref="DispatchAsync"/>. Returns how many.
    /// </summary>
    public Task<int> ScheduleHeldAsync(CancellationToken ct) => HandOverAsync("""
        SELECT j.id, j.owner_id, o.start_time FROM jobs j JOIN offers o ON o.job_id = j.id AND o.phase = 'ACCEPTED'
         WHERE j.phase = 'HELD' AND j.hangfire_job_id IS NULL
         ORDER BY o.start_time, j.id FOR UPDATE OF j SKIP LOCKED LIMIT 1
        """, reader =>
        {
            var id = reader.GetString(0);
            var owner = OwnerName(reader.GetString(1));
            var slot = reader.GetFieldValue<DateTimeOffset>(2);
            var release = Job.FromExpression<HeldJobRelease>(r => r.ReleaseAsync(id, owner, slot), UwsJobRun.Queue);
            return () => slot <= clock.GetUtcNow()
                ? hangfire.Create(release, new EnqueuedState(UwsJobRun.Queue))
                : hangfire.Create(release, new ScheduledState(slot.UtcDateTime));
        }, ct);

    static string OwnerName(string ownerId) => ownerId.Length == 0 ? "anonymous" : ownerId;

    /// <summary>
    /// Up to one batch of rows chosen by <paramref name="select"/> (id first, one row, FOR UPDATE SKIP LOCKED): for
    /// each, the Hangfire job that <paramref name="read"/> describes is created and its id recorded on the row, in one
    /// short transaction per row. The row lock only covers its own hand-over (a worker that fetched the new Hangfire
    /// job before our commit waits that long in its claim, then claims). Returns how many.
    /// </summary>
    async Task<int> HandOverAsync(string select, Func<NpgsqlDataReader, Func<string>> read, CancellationToken ct)
    {
        var count = 0;
        for (; count < Batch; count++)
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            string id;
            Func<string> create;
            await using (var command = new NpgsqlCommand(select, connection, tx))
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                if (!await reader.ReadAsync(ct))
                {
                    break;
                }
                id = reader.GetString(0);
                create = read(reader);
            }
            CrashPoints.Reach(CrashPoints.BeforeEnqueue);
            // Dies after this and before the commit -> the row still has no Hangfire job and gets another; the first
            // of the two to claim (release) the UWS job does it, the other finds nothing to do.
            var hangfireJobId = create();
            CrashPoints.Reach(CrashPoints.Enqueued);
            await using (var record = new NpgsqlCommand("UPDATE jobs SET hangfire_job_id = $2 WHERE id = $1", connection, tx))
            {
                record.Parameters.Add(new NpgsqlParameter { Value = id });
                record.Parameters.Add(new NpgsqlParameter { Value = hangfireJobId });
                await record.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        return count;
    }

    /// <summary>
    /// Forgets the Hangfire job of QUEUED (and HELD) jobs whose Hangfire job can no longer run (release) them, so
    /// the next round enqueues (schedules) a new one. Returns how many.
    /// </summary>
    public async Task<int> RepairAsync(CancellationToken ct)
    {
        var stale = new List<(string Id, string HangfireJobId)>();
        await using (var select = dataSource.CreateCommand("""
            SELECT id, hangfire_job_id FROM jobs
             WHERE phase IN ('QUEUED', 'HELD') AND hangfire_job_id IS NOT NULL AND phase_changed_at < $1
             LIMIT 500
            """))
        {
            select.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() - RepairAge, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                stale.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
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
            await using var forget = dataSource.CreateCommand(
                "UPDATE jobs SET hangfire_job_id = NULL WHERE id = $1 AND phase IN ('QUEUED', 'HELD') AND hangfire_job_id = $2");
            forget.Parameters.Add(new NpgsqlParameter { Value = id });
            forget.Parameters.Add(new NpgsqlParameter { Value = hangfireJobId });
            if (await forget.ExecuteNonQueryAsync(ct) == 1)
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
        var released = new List<string>();
        await using (var command = dataSource.CreateCommand("""
            UPDATE jobs j SET hangfire_job_id = NULL
              FROM (SELECT id, hangfire_job_id FROM jobs
                     WHERE phase IN ('ABORTED', 'ERROR', 'ARCHIVED') AND start_time IS NULL AND hangfire_job_id IS NOT NULL
                     FOR UPDATE SKIP LOCKED) old
             WHERE j.id = old.id
            RETURNING old.hangfire_job_id
            """))
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                released.Add(reader.GetString(0));
            }
        }
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
