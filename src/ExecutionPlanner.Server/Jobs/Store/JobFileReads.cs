using System.Data;
using ExecutionPlanner.Server.Persistence;
using Npgsql;

namespace ExecutionPlanner.Server.Jobs.Store;

/// <summary>A stored file being read: its content is a stream straight from the row (never the whole file in memory).</summary>
public sealed record StoredFile(string MimeType, long Size, Stream Content);

/// <summary>The latest part of a running job's stdout or stderr that its node published, and the whole size so far.</summary>
public sealed record OutputTail(byte[] Content, long TotalBytes, DateTimeOffset UpdatedAt);

/// <summary>Reads of a job's file contents (job_files) and of its live output (job_output_tails), in raw SQL for streaming.</summary>
public static class JobFileReads
{
    /// <summary>
    /// Hands <paramref name="serve"/> the stored file (null when there is none) while its row is being read: the
    /// content streams from PostgreSQL and is valid only inside <paramref name="serve"/>.
    /// </summary>
    public static async Task ReadFileAsync(
        NpgsqlDataSource dataSource, string jobId, JobFileKind kind, string name, Func<StoredFile?, Task> serve, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT mime_type, size, content FROM job_files WHERE job_id = $1 AND kind = $2 AND name = $3");
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        command.Parameters.Add(new NpgsqlParameter { Value = kind.ToString() });
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        if (!await reader.ReadAsync(ct))
        {
            await serve(null);
            return;
        }
        var mimeType = reader.GetString(0);
        var size = reader.GetInt64(1);
        await using var content = await reader.GetStreamAsync(2, ct);
        await serve(new StoredFile(mimeType, size, content));
    }

    /// <summary>The published tail of <paramref name="stream"/> (stdout or stderr), or null while there is none.</summary>
    public static async Task<OutputTail?> ReadOutputTailAsync(NpgsqlDataSource dataSource, string jobId, string stream, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT content, total_bytes, updated_at FROM job_output_tails WHERE job_id = $1 AND stream = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        command.Parameters.Add(new NpgsqlParameter { Value = stream });
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }
        return new OutputTail(reader.GetFieldValue<byte[]>(0), reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2));
    }
}
