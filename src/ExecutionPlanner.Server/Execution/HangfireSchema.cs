using Hangfire.PostgreSql;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Installs (or upgrades) Hangfire's tables once at start-up, after our own migrations and before any Hangfire
/// server or client touches them. Nodes starting together take turns on an advisory lock: Hangfire.PostgreSql's
/// installer is not safe against itself (hangfire-postgres/Hangfire.PostgreSql#425), so storage is built with
/// PrepareSchemaIfNecessary off and this is the only installer.
/// </summary>
public sealed class HangfireSchema(NpgsqlDataSource dataSource, IOptions<HangfireOptions> options) : IHostedService
{
    /// <summary>The advisory lock key ("hangfire" in ASCII): any value unused elsewhere in this database would do.</summary>
    const long LockKey = 0x68616e6766697265;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_lock({LockKey})", connection))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }
        // The installer is synchronous (Dapper-era code); it runs a handful of statements once per start.
        // The session lock goes with the connection should anything below throw.
        PostgreSqlObjectsInstaller.Install(connection, options.Value.SchemaName);
        await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", connection);
        await unlock.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
