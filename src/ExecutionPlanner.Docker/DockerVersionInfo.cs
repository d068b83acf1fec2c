using System.Text.Json.Serialization;

namespace ExecutionPlanner.Docker;

/// <summary>The engine's answer to <c>GET /version</c> (the fields we use).</summary>
public sealed record DockerVersionInfo(
    string Version,
    string ApiVersion,
    [property: JsonPropertyName("MinAPIVersion")] string? MinApiVersion,
    string? Os,
    string? Arch,
    string? KernelVersion);
