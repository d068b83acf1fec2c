using Npgsql;

namespace ExecutionPlanner.Server.Jobs.Store;

/// <summary>One delivery to make: the phase change that caused it, and how many tries it has had (this one included).</summary>
public sealed record CallbackDelivery(long Id, string JobId, string Url, string Phase, DateTimeOffset PhaseTime, int Attempt);

/// <summary>
/// The job_callbacks table (migration JobCallbacks; a job's rows go with it), the one owner of its SQL; the phase trigger
/// fills it, Jobs/Callbacks/CallbackSender empties it. A claim takes due rows that no live
/// lease holds and that have no older row of the same job (a job's deliveries go out one at a time, in order),
/// with FOR UPDATE SKIP LOCKED, so concurrent senders on several nodes never take the same row.
/// </summary>
public sealed class CallbackOutbox(NpgsqlDataSource dataSource)
{
    public async Task<List<CallbackDelivery>> ClaimAsync(DateTimeOffset now, TimeSpan lease, string node, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE job_callbacks c
               SET claimed_until = $2, claimed_by = $3, attempts = c.attempts + 1
             WHERE c.id IN (
                   SELECT d.id FROM job_callbacks d
                    WHERE d.next_attempt_at <= $1
                      AND (d.claimed_until IS NULL OR d.claimed_until < $1)
                      AND NOT EXISTS (SELECT 1 FROM job_callbacks o WHERE o.job_id = d.job_id AND o.id < d.id)
                    ORDER BY d.id
                    LIMIT $4
                      FOR UPDATE SKIP LOCKED)
            RETURNING c.id, c.job_id, c.url, c.phase, c.phase_time, c.attempts
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = now + lease });
        command.Parameters.Add(new NpgsqlParameter { Value = node });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var claimed = new List<CallbackDelivery>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            claimed.Add(new CallbackDelivery(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetInt32(5)));
        }
        return claimed;
    }

    /// <summary>Delivered, or given up: the row goes (and the job's next delivery may be claimed).</summary>
    public async Task RemoveAsync(long id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM job_callbacks WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A failed try with tries left: due again at <paramref name="at"/>, free for any node.</summary>
    public async Task RetryAtAsync(long id, DateTimeOffset at, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE job_callbacks SET next_attempt_at = $2, claimed_until = NULL, claimed_by = NULL WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = at });
        await command.ExecuteNonQueryAsync(ct);
    }
}
