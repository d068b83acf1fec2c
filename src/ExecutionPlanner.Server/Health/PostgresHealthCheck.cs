using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Waiting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace ExecutionPlanner.Server.Health;

/// <summary>Ready when PostgreSQL answers a query and this node's LISTEN connection is up.</summary>
public sealed class PostgresHealthCheck(NpgsqlDataSource dataSource, JobChangeListener listener) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT current_setting('server_version')");
            var version = (string?)await command.ExecuteScalarAsync(cancellationToken);
            var data = new Dictionary<string, object> { ["serverVersion"] = version ?? "?" };
            return listener.IsListening
                ? HealthCheckResult.Healthy($"PostgreSQL {version}", data)
                : HealthCheckResult.Degraded($"PostgreSQL {version}; the LISTEN connection is reconnecting", null, data);
        }
        catch (NpgsqlException ex)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL does not answer", ex);
        }
    }
}
