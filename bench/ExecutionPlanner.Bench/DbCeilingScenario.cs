using Npgsql;
using NpgsqlTypes;

namespace ExecutionPlanner.Bench;

/// <summary>
/// The database's ceiling for job creation: the same one-row INSERT a creation commits, sent with raw
/// Npgsql (prepared, autocommit, so one durable commit each) from 1 and 8 connections. No HTTP, no EF.
/// </summary>
public static class DbCeilingScenario
{
    const string Insert = """
        INSERT INTO jobs (id, owner_id, phase, phase_changed_at, creation_time, execution_duration, destruction, parameters)
        VALUES ($1, '', 'PENDING', $2, $2, 3600, $3, $4)
        """;

    const string Parameters = """[{"Name":"image","Value":"executionplanner/busybox:1"},{"Name":"cmd","Value":"echo"},{"Name":"cmd","Value":"hi"}]""";

    public static async Task RunAsync(BenchDatabase db, BenchOptions options, Report report)
    {
        Console.Error.WriteLine("dbceiling: raw Npgsql INSERT, one commit per job");
        foreach (var setting in new[] { "synchronous_commit", "fsync", "wal_sync_method", "commit_delay", "full_page_writes" })
        {
            report.Machine($"PostgreSQL {setting}", await db.ScalarAsync<string>($"SHOW {setting}"));
        }
        var duration = TimeSpan.FromSeconds(Math.Min(options.Duration.TotalSeconds, 5));
        foreach (var connections in new[] { 1, 8 })
        {
            var pool = new NpgsqlConnection[connections];
            var commands = new NpgsqlCommand[connections];
            for (var i = 0; i < connections; i++)
            {
                pool[i] = await db.DataSource.OpenConnectionAsync();
                commands[i] = new NpgsqlCommand(Insert, pool[i])
                {
                    Parameters =
                    {
                        new() { NpgsqlDbType = NpgsqlDbType.Text },
                        new() { NpgsqlDbType = NpgsqlDbType.TimestampTz },
                        new() { NpgsqlDbType = NpgsqlDbType.TimestampTz },
                        new() { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = Parameters },
                    },
                };
                await commands[i].PrepareAsync();
            }
            var result = await ClosedLoop.RunAsync(connections, TimeSpan.FromSeconds(1), duration, async (worker, ct) =>
            {
                var command = commands[worker];
                var now = TimeProvider.System.GetUtcNow();
                command.Parameters[0].Value = BenchDatabase.NewJobId();
                command.Parameters[1].Value = now;
                command.Parameters[2].Value = now.AddDays(7);
                return await command.ExecuteNonQueryAsync(ct) == 1;
            });
            foreach (var c in commands)
            {
                await c.DisposeAsync();
            }
            foreach (var c in pool)
            {
                await c.DisposeAsync();
            }
            report.Add("dbceiling", $"raw INSERT+commit, {connections} connection{(connections > 1 ? "s" : "")}: rows/s",
                Report.Num(result.PerSecond));
            report.Add("dbceiling", $"raw INSERT+commit, {connections} connection{(connections > 1 ? "s" : "")}: latency",
                $"median {Report.Ms(result.Latency.Median)}, p95 {Report.Ms(result.Latency.P95)}");
        }
    }
}
