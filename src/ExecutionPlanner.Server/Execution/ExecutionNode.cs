using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExecutionPlanner.Server.Execution;

/// <summary>This process's identity in leases and container labels.</summary>
public sealed class ExecutionNode(IOptions<ExecutionOptions> options, NpgsqlDataSource dataSource)
{
    /// <summary>
    /// The deployment this node belongs to: Execution:Instance, or the database it uses. Several
    /// deployments (or test runs) may share one Docker engine without touching each other's containers.
    /// </summary>
    public string Instance { get; } = options.Value.Instance is { Length: > 0 } instance
        ? instance
        : new NpgsqlConnectionStringBuilder(dataSource.ConnectionString) is var cs ? $"{cs.Host}:{cs.Port}/{cs.Database}" : "default";

    public string Id { get; } = options.Value.NodeId is { Length: > 0 } configured
        ? configured
        : $"{Environment.MachineName}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    /// <summary>True when the operator gave a stable name, so leases with it are this node's own leftovers.</summary>
    public bool IsStable { get; } = options.Value.NodeId is { Length: > 0 };
}
