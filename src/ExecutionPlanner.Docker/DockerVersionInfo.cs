namespace ExecutionPlanner.Docker;

/// <summary>The engine's answer to <c>GET /version</c> (the fields we use).</summary>
public sealed record DockerVersionInfo(
    string Version,
    string ApiVersion,
    string? MinApiVersion,
    string? Os,
    string? Arch,
    string? KernelVersion);
