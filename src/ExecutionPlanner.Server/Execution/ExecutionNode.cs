using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Execution;

/// <summary>This process's identity in leases and container labels.</summary>
public sealed class ExecutionNode(IOptions<ExecutionOptions> options)
{
    public string Id { get; } = options.Value.NodeId is { Length: > 0 } configured
        ? configured
        : $"{Environment.MachineName}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    /// <summary>True when the operator gave a stable name, so leases with it are this node's own leftovers.</summary>
    public bool IsStable { get; } = options.Value.NodeId is { Length: > 0 };
}
