using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ExecutionPlanner.Server;

namespace ExecutionPlanner.Bench;

/// <summary>
/// The server as a separate OS process (the built ExecutionPlanner.Server.dll run with `dotnet`), on a loopback port:
/// a node of a cluster for the scenarios that measure what crosses between nodes. Its output goes to a log file.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    readonly Process process;

    NodeProcess(Process process, Uri baseAddress, string logPath)
    {
        this.process = process;
        BaseAddress = baseAddress;
        LogPath = logPath;
    }

    public Uri BaseAddress { get; }

    public string LogPath { get; }

    /// <summary>Starts a node and waits until /health/ready answers 200 (PostgreSQL reachable, LISTEN in force).</summary>
    public static async Task<NodeProcess> StartAsync(string name, string connectionString, IDictionary<string, string>? extra = null)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }
        var logPath = Path.Combine(Path.GetTempPath(), $"ep-bench-{name}-{port}.log");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(ExecutionPlannerApp).Assembly.Location, "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ConnectionStrings__ExecutionPlanner"] = connectionString;
        start.Environment["Auth__AllowAnonymous"] = "true";
        start.Environment["Execution__Enabled"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new NodeProcess(process, new Uri($"http://127.0.0.1:{port}"), logPath);
        await node.WaitUntilReadyAsync();
        return node;
    }

    async Task WaitUntilReadyAsync()
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The node exited; see {LogPath}");
            }
            try
            {
                using var response = await client.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            if (watch.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException($"The node did not become ready; see {LogPath}");
            }
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
