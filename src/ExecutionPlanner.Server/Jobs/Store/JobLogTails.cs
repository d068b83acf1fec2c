using System.Text;
using ExecutionPlanner.Server.Persistence;
using Npgsql;

namespace ExecutionPlanner.Server.Jobs.Store;

/// <summary>The end of a job's stdout or stderr result, as text (a log may be up to Execution:MaxLogBytes).</summary>
public sealed record JobLogTail(string Text, long Size, bool Cut);

public static class JobLogTails
{
    /// <summary>A page shows at most this much of each log; the result link serves all of it.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The stdout and stderr results' last <see cref="MaxBytes"/> bytes, by name (while the job runs, what its node published so far).</summary>
    public static async Task<Dictionary<string, JobLogTail>> ReadAsync(NpgsqlDataSource database, string jobId, CancellationToken ct)
    {
        // Only the tail leaves the database: substring() on bytea, 1-based. While the job runs its logs are not
        // results yet: the part its node publishes (job_output_tails, Execution/LiveOutput) stands in for them.
        await using var command = database.CreateCommand(
            "SELECT name, size, substring(content FROM greatest(size - $2 + 1, 1)::int) FROM job_files " +
            "WHERE job_id = $1 AND kind = $3 AND name IN ('stdout', 'stderr') " +
            "UNION ALL " +
            "SELECT stream, total_bytes, substring(content FROM greatest(length(content) - $2 + 1, 1)::int) FROM job_output_tails t " +
            "WHERE job_id = $1 AND NOT EXISTS (SELECT 1 FROM job_files f WHERE f.job_id = t.job_id AND f.kind = $3 AND f.name = t.stream)");
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        command.Parameters.Add(new NpgsqlParameter { Value = (long)MaxBytes });
        command.Parameters.Add(new NpgsqlParameter { Value = nameof(JobFileKind.Result) });
        var tails = new Dictionary<string, JobLogTail>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var size = reader.GetInt64(1);
            var bytes = (byte[])reader.GetValue(2);
            var cut = size > bytes.Length;
            // A cut may fall inside a UTF-8 sequence: the decoder's U+FFFD stands for it. Colours and the like go.
            tails[reader.GetString(0)] = new JobLogTail(DisplayText.Clean(Encoding.UTF8.GetString(bytes)), size, cut);
        }
        return tails;
    }
}
