using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ExecutionPlanner.Server.Health;

/// <summary>
/// /health/live: the process answers. /health/ready: its dependencies answer (PostgreSQL, LISTEN, and
/// the Docker engine once registered). Exposed on the same port in every environment: they reveal
/// versions only, and operators' probes need them; put them behind the proxy's ACL if that matters.
/// </summary>
public static class HealthApi
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    /// <summary>Longest a readiness check may take; past it the check is Unhealthy and /health/ready answers 503.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains(LiveTag) });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReport,
        });
        return app;
    }

    static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data,
            }),
        }));
    }
}
