using ExecutionPlanner.Server.Execution;
using ExecutionPlanner.Server.Health;
using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Observability;
using ExecutionPlanner.Server.Planner;
using ExecutionPlanner.Server.Vosi;
using ExecutionPlanner.Server.Web;

namespace ExecutionPlanner.Server;

/// <summary>Builds the server; Program.cs runs it, tests and benchmarks start it on a loopback port.</summary>
public static class ExecutionPlannerApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.Services.AddExecutionPlanner(builder.Configuration);
        var app = builder.Build();
        app.UseMiddleware<DependencyOutage>();
        app.UseStatusCodePages(PlainText.StatusMessage);
        app.MapHangfireDashboard();
        app.UseRoutingWithHeadAsGet();
        app.MapObservability();
        app.MapBrowser();
        app.MapJobs().WithBrowserViews();
        app.MapHealth();
        app.MapPlanner();
        app.MapVosi();
        return app;
    }
}
