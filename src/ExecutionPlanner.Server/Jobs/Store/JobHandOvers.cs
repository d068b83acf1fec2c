using Npgsql;

namespace ExecutionPlanner.Server.Jobs.Store;

/// <summary>A QUEUED job without a Hangfire job: what its run needs to be enqueued.</summary>
public sealed record QueuedHandOver(string Id, string OwnerId);

/// <summary>A HELD job of an accepted offer without a Hangfire job: what its release at <paramref name="Slot"/> needs.</summary>
public sealed record HeldHandOver(string Id, string OwnerId, DateTimeOffset Slot);

/// <summary>
/// The jobs rows as the outbox of the hand-over to the execution engine (the hangfire_job_id column): which rows
/// still need an engine job, recording the one made, and forgetting one that can no longer run. The engine itself
/// is Execution's (QueuedJobDispatcher): here only the rows, so the job service knows no engine. The HELD select is
/// the one statement here that names a planner table (the accepted offer's slot): it stays whole, for its row lock.
/// </summary>
public sealed class JobHandOvers(NpgsqlDataSource dataSource, TimeProvider clock)
{
    const string QueuedSelect = """
        SELECT id, owner_id FROM jobs WHERE phase = 'QUEUED' AND hangfire_job_id IS NULL
         ORDER BY queued_at, id FOR UPDATE SKIP LOCKED LIMIT $1
        """;

    const string HeldSelect = """
        SELECT j.id, j.owner_id, o.start_time FROM jobs j JOIN offers o ON o.job_id = j.id AND o.phase = 'ACCEPTED'
         WHERE j.phase = 'HELD' AND j.hangfire_job_id IS NULL
         ORDER BY o.start_time, j.id FOR UPDATE OF j SKIP LOCKED LIMIT $1
        """;

    /// <summary>Up to <paramref name="batch"/> QUEUED rows, oldest first, each handed to <paramref name="create"/> (see <see cref="HandOverAsync{TRow}"/>).</summary>
    public Task<int> HandOverQueuedAsync(int batch, Func<QueuedHandOver, string> create, CancellationToken ct) =>
        HandOverAsync(QueuedSelect, reader => new QueuedHandOver(reader.GetString(0), reader.GetString(1)), create, batch, ct);

    /// <summary>Up to <paramref name="batch"/> HELD rows of accepted offers, earliest slot first (see <see cref="HandOverAsync{TRow}"/>).</summary>
    public Task<int> HandOverHeldAsync(int batch, Func<HeldHandOver, string> create, CancellationToken ct) =>
        HandOverAsync(HeldSelect, reader => new HeldHandOver(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)), create, batch, ct);

    /// <summary>Rows handed over in one transaction at most (see <see cref="HandOverAsync{TRow}"/>).</summary>
    const int MaxChunk = 8;

    /// <summary>
    /// Up to one batch of rows chosen by <paramref name="select"/> (id first, FOR UPDATE SKIP LOCKED, LIMIT $1): for
    /// each, <paramref name="create"/> makes the engine job, and the ids made are recorded on their rows, in short
    /// transactions of one row, then two, four, up to <see cref="MaxChunk"/>. A row's lock covers its chunk's
    /// hand-over (a worker that fetched one of the new engine jobs before our commit waits that long in its claim,
    /// then claims): a lone job, or the first of a burst, waits for its own engine job only, and the rest of a burst
    /// costs three round trips per chunk instead of three per row. Returns how many.
    /// </summary>
    async Task<int> HandOverAsync<TRow>(string select, Func<NpgsqlDataReader, TRow> read, Func<TRow, string> create, int batch, CancellationToken ct)
    {
        var count = 0;
        for (var chunk = 1; count < batch; chunk = Math.Min(chunk * 2, MaxChunk))
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            var rows = new List<(string Id, TRow Row)>();
            await using (var command = new NpgsqlCommand(select, connection, tx))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = Math.Min(chunk, batch - count) });
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    rows.Add((reader.GetString(0), read(reader)));
                }
            }
            if (rows.Count == 0)
            {
                break;
            }
            // Dies after this and before the commit -> the chunk's rows still have no engine job and get others; for
            // each, the first of the two to claim (release) the UWS job does it, the other finds nothing to do.
            var hangfireJobIds = rows.Select(r => create(r.Row)).ToArray();
            await using (var record = new NpgsqlCommand(
                "UPDATE jobs SET hangfire_job_id = made.hangfire_job_id FROM unnest($1::text[], $2::text[]) AS made(id, hangfire_job_id) WHERE jobs.id = made.id",
                connection, tx))
            {
                record.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Id).ToArray() });
                record.Parameters.Add(new NpgsqlParameter { Value = hangfireJobIds });
                await record.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            count += rows.Count;
            if (rows.Count < chunk)
            {
                break;
            }
        }
        return count;
    }

    /// <summary>QUEUED and HELD rows that name an engine job and have not moved for <paramref name="age"/> (at most 500).</summary>
    public async Task<List<(string Id, string HangfireJobId)>> StaleAsync(TimeSpan age, CancellationToken ct)
    {
        var stale = new List<(string Id, string HangfireJobId)>();
        await using (var select = dataSource.CreateCommand("""
            SELECT id, hangfire_job_id FROM jobs
             WHERE phase IN ('QUEUED', 'HELD') AND hangfire_job_id IS NOT NULL AND phase_changed_at < $1
             LIMIT 500
            """))
        {
            select.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() - age, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                stale.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        return stale;
    }

    /// <summary>Forgets the engine job of a QUEUED (HELD) row if it still names that one, so the next round makes another.</summary>
    public async Task<bool> ForgetAsync(string id, string hangfireJobId, CancellationToken ct)
    {
        await using var forget = dataSource.CreateCommand(
            "UPDATE jobs SET hangfire_job_id = NULL WHERE id = $1 AND phase IN ('QUEUED', 'HELD') AND hangfire_job_id = $2");
        forget.Parameters.Add(new NpgsqlParameter { Value = id });
        forget.Parameters.Add(new NpgsqlParameter { Value = hangfireJobId });
        return await forget.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// Lets go of the engine jobs of UWS jobs that ended before they ever ran (ABORT or an error while QUEUED or HELD)
    /// and returns their ids, for the caller to delete.
    /// </summary>
    public async Task<List<string>> ReleaseUnstartedAsync(CancellationToken ct)
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
        return released;
    }
}
