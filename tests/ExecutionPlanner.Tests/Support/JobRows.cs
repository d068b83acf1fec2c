using Npgsql;

namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// Direct SQL on the test database, for states no client request can reach (ERROR, ARCHIVED, results)
/// and for inserting many jobs quickly. Values always go in as parameters ($1, $2, …).
/// </summary>
public static class JobRows
{
    public static Task<int> ExecuteAsync(string sql, params object[] values) => ExecuteOnAsync(TestDatabase.ConnectionString, sql, values);

    public static Task<long> CountAsync(string sql, params object[] values) => CountOnAsync(TestDatabase.ConnectionString, sql, values);

    /// <summary>On a given database (an execution fixture's private one).</summary>
    public static async Task<int> ExecuteOnAsync(string connectionString, string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return await command.ExecuteNonQueryAsync();
    }

    public static async Task<long> CountOnAsync(string connectionString, string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Inserts jobs of one owner with the given ids, phases and creation times (destruction in a week).</summary>
    public static Task InsertJobsAsync(string ownerId, IReadOnlyList<(string Id, string Phase, DateTimeOffset Created)> jobs) =>
        ExecuteAsync("""
            INSERT INTO jobs (id, owner_id, phase, phase_changed_at, creation_time, execution_duration, destruction, parameters)
            SELECT j.id, $1, j.phase, j.created, j.created, 3600, now() + interval '7 days',
                   '[{"Name":"image","Value":"executionplanner/busybox:1"}]'::jsonb
            FROM unnest($2::text[], $3::text[], $4::timestamptz[]) AS j(id, phase, created)
            """,
            ownerId,
            jobs.Select(j => j.Id).ToArray(),
            jobs.Select(j => j.Phase).ToArray(),
            jobs.Select(j => j.Created).ToArray());

    public static Task SetPhaseAsync(string jobId, string phase) =>
        ExecuteAsync("UPDATE jobs SET phase = $2 WHERE id = $1", jobId, phase);

    public static Task AddResultAsync(string jobId, string name, string mimeType, byte[] content) =>
        ExecuteAsync("INSERT INTO job_files (job_id, kind, name, mime_type, size, content) VALUES ($1, 'Result', $2, $3, $4, $5)",
            jobId, name, mimeType, content.LongLength, content);

    /// <summary>A unique job id for rows inserted by a test (16 characters, like the server's).</summary>
    public static string NewId() => Guid.NewGuid().ToString("N")[..16];
}
