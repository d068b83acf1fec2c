using System.Globalization;
using System.Text.Json;
using ExecutionPlanner.Server.Execution;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// Reads what holds capacity from the database: open offers, and every job that is QUEUED, EXECUTING
/// or HELD (a job made from an offer with the offer's slot and resources, any other with its cores
/// and memory parameters). Either everything (<see cref="ReadWholeAsync"/>) or only the rows written
/// since an earlier read's snapshot (<see cref="ReadChangesAsync"/>), using the <c>ledger_xid</c>
/// stamps of migration 20261124000000_PlannerLedgerChanges.
/// <para>
/// Why no change is missed, whatever order transactions commit in and without locking the writers:
/// each read first takes a snapshot S (statement 1), then reads the rows, each in a later statement
/// (READ COMMITTED: a snapshot per statement, each at least as new as S). A row version the reader
/// has not seen was written by a transaction T that its read's snapshot did not see, so T had not
/// committed when S was taken: T's id is at or above S's xmax or in S's in-progress list
/// (PostgreSQL's own visibility rule). The column defaults and the update triggers stamp every such
/// version with T's id, so the next read, which asks for exactly those ids, finds it once T has
/// committed, however long T ran. Rows seen twice are applied twice, which changes nothing.
/// Deletions leave a stamped removal row, found the same way; removals are pruned below a horizon
/// (<see cref="PruneRemovalsAsync"/>), and a reader whose snapshot's xmin is below the horizon cannot
/// tell what it missed and reads everything again.
/// </para>
/// <para>
/// Offers are read before jobs: accepting moves a charge from an offer to a new job in one
/// transaction, and a read that falls between the two statements then counts it twice (free capacity
/// under-stated for one request), never not at all.
/// </para>
/// </summary>
public sealed class LedgerStore(
    NpgsqlDataSource dataSource, IOptionsMonitor<JobsOptions> jobs, IOptionsMonitor<ExecutionOptions> execution, IOptionsMonitor<PlannerOptions> planner)
{
    const string SnapshotSql = """
        SELECT pg_snapshot_xmin(s), pg_snapshot_xmax(s), ARRAY(SELECT pg_snapshot_xip(s)) FROM pg_current_snapshot() AS s
        """;

    const string OfferColumns = "id, phase, expires, start_time, duration_seconds, cores, memory_bytes, owner_id";

    const string JobColumns = """
        j.id, j.phase, j.start_time, j.execution_duration, o.start_time, o.cores, o.memory_bytes,
        CASE WHEN o.id IS NULL THEN j.parameters::text END
        """;

    /// <summary>Written after the watermark's snapshot: at or above its xmax, or in progress when it was taken.</summary>
    const string UnseenXid = "(ledger_xid >= $1 OR ledger_xid = ANY($2))";

    const string ChangedOffersSql = $"SELECT {OfferColumns} FROM offers WHERE {UnseenXid}";

    const string ChangedJobsSql = $"""
        SELECT {JobColumns}
          FROM jobs j LEFT JOIN offers o ON o.job_id = j.id
         WHERE j.phase <> 'PENDING' AND (j.ledger_xid >= $1 OR j.ledger_xid = ANY($2))
        """;

    const string RemovalsSql = $"SELECT kind, id FROM planner_ledger_removals WHERE {UnseenXid}";

    const string HorizonSql = "SELECT removals_pruned_below FROM planner_ledger_horizon";

    /// <summary>The limits charged for jobs that name none, as configured now.</summary>
    public JobDefaults Defaults
    {
        get
        {
            var o = execution.CurrentValue;
            var j = jobs.CurrentValue;
            return new JobDefaults(
                Math.Min(o.DefaultCores, j.MaxCores),
                Math.Min(o.DefaultMemoryBytes, j.MaxMemoryBytes),
                j.MaxExecutionDuration > 0 ? TimeSpan.FromSeconds(j.MaxExecutionDuration) : planner.CurrentValue.MaxStartHorizon * 2);
        }
    }

    /// <summary>Every open offer (not expired at <paramref name="now"/>) and every charged job.</summary>
    public static async Task<LedgerChanges> ReadWholeAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, DateTimeOffset now, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, tx);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(SnapshotSql));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT {OfferColumns} FROM offers WHERE phase = 'OFFERED' AND expires > $1")
        {
            Parameters = { new NpgsqlParameter<DateTimeOffset> { TypedValue = now } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
            SELECT {JobColumns}
              FROM jobs j LEFT JOIN offers o ON o.job_id = j.id
             WHERE j.phase IN ('QUEUED', 'EXECUTING', 'HELD')
            """));
        // Prepared once per physical connection: each booking then skips parsing these statements.
        await batch.PrepareAsync(ct);
        await using var r = await batch.ExecuteReaderAsync(ct);
        var (watermark, offers, charged) = await ReadSnapshotAndRowsAsync(r, ct);
        return new LedgerChanges(true, watermark, offers, charged, [], []);
    }

    /// <summary>
    /// The rows written since <paramref name="since"/>'s snapshot and the removals since, or null when
    /// removals the reader needs may have been pruned (read everything instead).
    /// </summary>
    public static async Task<LedgerChanges?> ReadChangesAsync(
        NpgsqlConnection connection, NpgsqlTransaction? tx, LedgerWatermark since, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, tx);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(SnapshotSql));
        batch.BatchCommands.Add(WithWatermark(ChangedOffersSql, since));
        batch.BatchCommands.Add(WithWatermark(ChangedJobsSql, since));
        batch.BatchCommands.Add(WithWatermark(RemovalsSql, since));
        // Last, so a prune that committed before the removals were read is seen here.
        batch.BatchCommands.Add(new NpgsqlBatchCommand(HorizonSql));
        // Prepared once per physical connection: each booking then skips parsing these statements.
        await batch.PrepareAsync(ct);
        await using var r = await batch.ExecuteReaderAsync(ct);
        var (watermark, offers, charged) = await ReadSnapshotAndRowsAsync(r, ct);
        await r.NextResultAsync(ct);
        var removedOffers = new List<string>();
        var removedJobs = new List<string>();
        while (await r.ReadAsync(ct))
        {
            (r.GetString(0) == "offer" ? removedOffers : removedJobs).Add(r.GetString(1));
        }
        await r.NextResultAsync(ct);
        var horizon = await r.ReadAsync(ct) ? r.GetFieldValue<ulong>(0) : 0UL;
        if (since.Xmin < horizon)
        {
            return null;
        }
        return new LedgerChanges(false, watermark, offers, charged, removedOffers, removedJobs);
    }

    /// <summary>The xmin of a snapshot taken now: every transaction below it has ended.</summary>
    public async Task<ulong> CurrentXminAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT pg_snapshot_xmin(pg_current_snapshot())");
        return (ulong)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Deletes removals stamped below <paramref name="below"/> and, in the same statement, raises the
    /// horizon to it, so a reader either still finds a removal or sees the horizon and reads everything.
    /// Returns how many were deleted.
    /// </summary>
    public async Task<int> PruneRemovalsAsync(ulong below, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            WITH pruned AS (DELETE FROM planner_ledger_removals WHERE ledger_xid < $1 RETURNING 1),
                 raised AS (UPDATE planner_ledger_horizon SET removals_pruned_below = greatest(removals_pruned_below, $1)
                             WHERE EXISTS (SELECT FROM pruned))
            SELECT count(*)::int FROM pruned
            """);
        command.Parameters.Add(Xid(below));
        return (int)(await command.ExecuteScalarAsync(ct))!;
    }

    static NpgsqlBatchCommand WithWatermark(string sql, LedgerWatermark since) => new(sql)
    {
        Parameters =
        {
            Xid(since.Xmax),
            new NpgsqlParameter { Value = since.InProgress, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Xid8 },
        },
    };

    static NpgsqlParameter Xid(ulong value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Xid8 };

    /// <summary>The first three results both reads begin with: the snapshot, then the offer rows, then the job rows.</summary>
    static async Task<(LedgerWatermark Watermark, List<LedgerOfferRow> Offers, List<LedgerJobRow> Charged)> ReadSnapshotAndRowsAsync(
        NpgsqlDataReader r, CancellationToken ct)
    {
        var watermark = await ReadWatermarkAsync(r, ct);
        await r.NextResultAsync(ct);
        var offers = await ReadOffersAsync(r, ct);
        await r.NextResultAsync(ct);
        return (watermark, offers, await ReadJobsAsync(r, ct));
    }

    static async Task<LedgerWatermark> ReadWatermarkAsync(NpgsqlDataReader r, CancellationToken ct)
    {
        await r.ReadAsync(ct);
        return new LedgerWatermark(r.GetFieldValue<ulong>(0), r.GetFieldValue<ulong>(1), r.GetFieldValue<ulong[]>(2));
    }

    static async Task<List<LedgerOfferRow>> ReadOffersAsync(NpgsqlDataReader r, CancellationToken ct)
    {
        var offers = new List<LedgerOfferRow>();
        while (await r.ReadAsync(ct))
        {
            offers.Add(new LedgerOfferRow(r.GetString(0), Enum.Parse<OfferPhase>(r.GetString(1)), r.GetFieldValue<DateTimeOffset>(2),
                r.GetFieldValue<DateTimeOffset>(3), r.GetInt32(4), r.GetDecimal(5), r.GetInt64(6), r.GetString(7)));
        }
        return offers;
    }

    static async Task<List<LedgerJobRow>> ReadJobsAsync(NpgsqlDataReader r, CancellationToken ct)
    {
        var charged = new List<LedgerJobRow>();
        while (await r.ReadAsync(ct))
        {
            var phase = Enum.Parse<ExecutionPhase>(r.GetString(1));
            var startTime = r.IsDBNull(2) ? (DateTimeOffset?)null : r.GetFieldValue<DateTimeOffset>(2);
            var (cores, memory) = !r.IsDBNull(4)
                ? (r.GetDecimal(5), r.GetInt64(6))
                : Limits(r.IsDBNull(7) ? null : r.GetString(7));
            charged.Add(new LedgerJobRow(r.GetString(0), phase, startTime, r.GetInt32(3),
                r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), cores, memory));
        }
        return charged;
    }

    /// <summary>The cores and memory parameters of a job not made from an offer; null where it gives none.</summary>
    static (decimal? Cores, long? Memory) Limits(string? parametersJson)
    {
        decimal? cores = null;
        long? memory = null;
        if (parametersJson is null)
        {
            return (cores, memory);
        }
        foreach (var p in JsonSerializer.Deserialize<List<JobParameter>>(parametersJson) ?? [])
        {
            if (p.Name == JobParameterContract.Cores
                && decimal.TryParse(p.Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var c) && c > 0)
            {
                cores = c;
            }
            else if (p.Name == JobParameterContract.Memory && MemoryQuantity.TryParse(p.Value, out var m))
            {
                memory = m;
            }
        }
        return (cores, memory);
    }
}
