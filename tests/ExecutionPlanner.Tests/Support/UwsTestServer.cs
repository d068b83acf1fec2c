using System.Net.Http.Headers;
using ExecutionPlanner.Server;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Waiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// The real server (Kestrel on a loopback port, real PostgreSQL) for integration tests. Each test
/// gets its own owner (a fresh bearer token), so tests never see each other's jobs and can run in parallel.
/// </summary>
public sealed class UwsTestServer : IAsyncDisposable
{
    const int OwnerPool = 100;

    readonly WebApplication app;
    readonly string prefix;
    int nextOwner = -1;

    UwsTestServer(WebApplication app, string prefix)
    {
        this.app = app;
        this.prefix = prefix;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => app.Services;

    /// <summary>The database this server uses (the shared test database unless the settings named another).</summary>
    public string ConnectionString => app.Configuration.GetConnectionString("ExecutionPlanner")!;

    public static async Task<UwsTestServer> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        // Owners unique to this server instance: the database is shared by every server of the run.
        var prefix = Guid.NewGuid().ToString("N")[..10];
        var config = new Dictionary<string, string?>
        {
            ["ConnectionStrings:ExecutionPlanner"] = TestDatabase.ConnectionString,
            ["Auth:AllowAnonymous"] = "true",
            ["Jobs:MaxWait"] = "30",
            // Fixtures that run containers switch this on; the others must not race a dispatcher.
            ["Execution:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        for (var i = 0; i < OwnerPool; i++)
        {
            config[$"Auth:Tokens:tok-{prefix}-{i}"] = $"owner-{prefix}-{i}";
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }
        var app = ExecutionPlannerApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(config);
            services?.Invoke(builder.Services);
        });
        var server = new UwsTestServer(app, prefix);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.BaseAddress = new Uri(address);
        await server.WaitUntilListeningAsync();
        return server;
    }

    /// <summary>
    /// The LISTEN connection starts in the background; until it is up, WAIT cannot be woken by other
    /// processes, and when it comes up it wakes every waiter. Tests start after that.
    /// </summary>
    async Task WaitUntilListeningAsync()
    {
        var listener = app.Services.GetRequiredService<JobChangeListener>();
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (!listener.IsListening)
        {
            Assert.That(TimeProvider.System.GetUtcNow(), Is.LessThan(deadline), "The server's LISTEN connection did not come up.");
            await Task.Delay(20);
        }
    }

    /// <summary>A client acting for a new, unique owner (redirects are not followed, so 303s can be checked).</summary>
    public HttpClient NewOwner(out string ownerId)
    {
        var i = Interlocked.Increment(ref nextOwner);
        Assert.That(i, Is.LessThan(OwnerPool), "Raise UwsTestServer.OwnerPool: more owners were asked for than configured.");
        var token = $"tok-{prefix}-{i}";
        ownerId = $"owner-{prefix}-{i}";
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public HttpClient NewOwner() => NewOwner(out _);

    public HttpClient Anonymous() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(120) };

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
