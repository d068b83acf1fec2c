using ExecutionPlanner.Docker;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ExecutionPlanner.Server.Health;

/// <summary>Ready when the Docker engine answers /_ping; reports the negotiated API version.</summary>
public sealed class DockerHealthCheck(DockerEngineClient docker) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var version = await docker.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy($"Docker engine at {docker.Endpoint}, API {version}",
                new Dictionary<string, object> { ["apiVersion"] = version.ToString(), ["endpoint"] = docker.Endpoint.ToString() });
        }
        catch (DockerEngineException ex)
        {
            return HealthCheckResult.Unhealthy($"Docker engine at {docker.Endpoint} does not answer: {ex.Message}");
        }
    }
}
