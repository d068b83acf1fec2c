using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ExecutionPlanner.Server.Observability;

/// <summary>
/// The document's title, and the operators' routes that are not route handlers and so escape the generator:
/// the health checks (MapHealthChecks) and the Prometheus scrape endpoint.
/// </summary>
public sealed class OperationsPaths : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "ExecutionPlanner";
        document.Info.Description =
            "An IVOA UWS 1.1 job service that runs each job as a Docker container (/jobs), with a planner that answers task "
            + "descriptions with offers (/planner, the ExecutionBroker prototype's /requests, /offersets, /sessions, and the 2021 "
            + "note's /planner/accepts and /planner/accept), VOSI (/availability, /capabilities), health checks and metrics. "
            + "UWS answers are the UWS 1.1 XML documents (text/xml); planner answers are JSON; errors are plain text.";
        document.Paths ??= [];
        document.Paths["/health/live"] = Get("Health", "Liveness: the process answers.",
            ("200", "Healthy (text/plain \"Healthy\").", "text/plain"), ("503", "Unhealthy.", "text/plain"));
        document.Paths["/health/ready"] = Get("Health", "Readiness: PostgreSQL (and, on a node that runs jobs, the Docker engine) answer within 2 s.",
            ("200", "Ready: {\"status\": \"Healthy\", \"checks\": {name: {status, description, data}}}.", "application/json"),
            ("503", "Not ready: the same JSON, with the failing check's status Unhealthy.", "application/json"));
        document.Paths["/metrics"] = Get("Operations", "Prometheus scrape endpoint (OpenTelemetry): the server's, ASP.NET Core's and the runtime's meters; see the README.",
            ("200", "Prometheus text exposition format 0.0.4 (or OpenMetrics when asked for).", "text/plain"));
        return Task.CompletedTask;
    }

    static OpenApiPathItem Get(string tag, string summary, params (string Status, string Description, string MediaType)[] answers)
    {
        var operation = new OpenApiOperation
        {
            Summary = summary,
            Tags = new HashSet<OpenApiTagReference> { new(tag) },
            Responses = [],
        };
        foreach (var (status, description, mediaType) in answers)
        {
            operation.Responses[status] = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { [mediaType] = new() { Schema = new OpenApiSchema { Type = mediaType == "application/json" ? JsonSchemaType.Object : JsonSchemaType.String } } },
            };
        }
        return new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Get] = operation } };
    }
}
