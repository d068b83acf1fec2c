using ExecutionPlanner.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ExecutionPlanner.Bench;

/// <summary>The real server (ExecutionPlannerApp.Build), in this process, on a loopback port.</summary>
public sealed class BenchServer : IAsyncDisposable
{
    readonly WebApplication app;

    BenchServer(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>
    /// Starts the server. Execution is off unless <paramref name="extra"/> turns it on (the HTTP scenarios
    /// must not start containers); <paramref name="extra"/> overrides any of the settings.
    /// </summary>
    public static async Task<BenchServer> StartAsync(string connectionString, int poolSize, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var serverConnection = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = poolSize }.ConnectionString;
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:ExecutionPlanner"] = serverConnection,
            ["Auth:AllowAnonymous"] = "true",
            ["Execution:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        var app = ExecutionPlannerApp.Build(["--urls", "http://127.0.0.1:0"], b => b.Configuration.AddInMemoryCollection(settings));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new BenchServer(app, new Uri(address));
    }

    /// <summary>A client that does not follow redirects (so 303s are seen) and may open many connections.</summary>
    public HttpClient NewClient(int maxConnections = 64) =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(120),
        };

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
