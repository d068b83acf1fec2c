using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ExecutionPlanner.Tests.Docker;

/// <summary>
/// A stand-in engine on a loopback port for what a real engine here cannot show: other API versions,
/// error bodies, slow answers. Answers <c>GET /version</c> from <see cref="ApiVersion"/> and
/// <see cref="MinApiVersion"/>, and everything else through <see cref="Handler"/>.
/// </summary>
internal sealed class FakeDockerEngine : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeDockerEngine(WebApplication app, Uri endpoint)
    {
        this.app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public string ApiVersion { get; set; } = "1.47";

    public string MinApiVersion { get; set; } = "1.24";

    /// <summary>Answers every request but /version; the default answers 200 with an empty JSON object.</summary>
    public Func<HttpContext, Task> Handler { get; set; } = context => context.Response.WriteAsync("{}");

    /// <summary>Method, path and query of every request, in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static async Task<FakeDockerEngine> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        FakeDockerEngine? engine = null;
        app.Run(context =>
        {
            var self = engine!;
            self.Requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            if (context.Request.Path == "/version")
            {
                return context.Response.WriteAsJsonAsync(new Dictionary<string, string>
                {
                    ["Version"] = "fake",
                    ["ApiVersion"] = self.ApiVersion,
                    ["MinAPIVersion"] = self.MinApiVersion,
                });
            }
            return self.Handler(context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        engine = new FakeDockerEngine(app, new Uri(address.Replace("http://", "tcp://", StringComparison.Ordinal)));
        return engine;
    }

    public static Func<HttpContext, Task> Error(int status, string body) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    };

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
