using Npgsql;

namespace ExecutionPlanner.Server.Jobs.Store;

/// <summary>
/// The writes of a running job's live output (job_output_tails: the latest part of stdout and stderr, published by
/// the node running it; read through <see cref="JobFileReads.ReadOutputTailAsync"/>). Execution/LiveOutput decides
/// when; the statements are here.
/// </summary>
public static class JobOutputTails
{
    /// <summary>
    /// The statement that stores a stream's latest part, for the caller's batch: the publication goes in the same
    /// round trip as the NOTIFYs of its lines.
    /// </summary>
    public static NpgsqlBatchCommand Upsert(string jobId, string stream, byte[] content, long totalBytes, DateTimeOffset now)
    {
        var upsert = new NpgsqlBatchCommand("""
            INSERT INTO job_output_tails (job_id, stream, content, total_bytes, updated_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (job_id, stream) DO UPDATE
               SET content = EXCLUDED.content, total_bytes = EXCLUDED.total_bytes, updated_at = EXCLUDED.updated_at
            """);
        upsert.Parameters.Add(new NpgsqlParameter { Value = jobId });
        upsert.Parameters.Add(new NpgsqlParameter { Value = stream });
        upsert.Parameters.Add(new NpgsqlParameter { Value = content });
        upsert.Parameters.Add(new NpgsqlParameter { Value = totalBytes });
        upsert.Parameters.Add(new NpgsqlParameter { Value = now });
        return upsert;
    }

    /// <summary>The job's owner (whose event streams get its lines), or null when the job is gone.</summary>
    public static async Task<string?> OwnerOfAsync(NpgsqlDataSource dataSource, string jobId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT owner_id FROM jobs WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        return await command.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>
    /// Deletes the tails whose stream is now a stored result. Only once the outcome is stored: until then (a settle
    /// that could not write, left to the reaper) the tail still answers .../results/stdout.
    /// </summary>
    public static async Task DeleteStoredAsync(NpgsqlDataSource dataSource, string jobId)
    {
        await using var command = dataSource.CreateCommand("""
            DELETE FROM job_output_tails t
             WHERE t.job_id = $1
               AND EXISTS (SELECT 1 FROM job_files f WHERE f.job_id = t.job_id AND f.kind = 'Result' AND f.name = t.stream)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        await command.ExecuteNonQueryAsync();
    }
}
