using OpenTelemetry.Metrics;
using Scalar.AspNetCore;

namespace ExecutionPlanner.Server.Observability;

/// <summary>
/// What operators and client authors look at: the OpenAPI document (/openapi/v1.json), its browsable reference
/// (/docs, Scalar, every asset served from this server so it works offline) and the Prometheus metrics (/metrics).
/// </summary>
public static class ObservabilityApi
{
    public const string DocsPath = "/docs";
    public const string MetricsPath = "/metrics";

    public static IServiceCollection AddObservability(this IServiceCollection services)
    {
        services.AddOpenApi("v1", o =>
        {
            o.AddDocumentTransformer<OperationsPaths>();
            o.AddOperationTransformer<ResponseShapes>();
        });

        services.AddSingleton<PhaseCounts>();
        services.AddSingleton<ExecutionPlannerMeter>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ExecutionPlannerMeter.Name)
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        return services;
    }

    /// <summary>Call after routing (the planner timing reads the matched endpoint) and before the endpoints run.</summary>
    public static IEndpointRouteBuilder MapObservability(this WebApplication app)
    {
        app.UsePlannerAnswerTiming();
        app.MapOpenApi().WithTags("Operations");
        app.MapScalarApiReference(DocsPath, o => o
            .WithTitle("ExecutionPlanner API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            // Offline: no web fonts from Scalar's CDN, no telemetry; the script is the package's embedded copy.
            .DisableDefaultFonts()
            .DisableTelemetry());
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }
}
