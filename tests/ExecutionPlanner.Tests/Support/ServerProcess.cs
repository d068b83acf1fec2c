using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ExecutionPlanner.Server;

namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// The server as a separate OS process (the built ExecutionPlanner.Server.dll, run with `dotnet`),
/// for tests that need a node to die for real (kill -9). Its output goes to a log file, named in failures.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    readonly Process process;

    ServerProcess(Process process, Uri baseAddress, string logPath)
    {
        this.process = process;
        BaseAddress = baseAddress;
        LogPath = logPath;
    }

    public Uri BaseAddress { get; }

    public string LogPath { get; }

    public static async Task<ServerProcess> StartAsync(string name, IDictionary<string, string> environment)
    {
        var port = FreePort();
        var logPath = Path.Combine(Path.GetTempPath(), $"ep-{name}-{port}.log");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(ExecutionPlannerApp).Assembly.Location, "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start)!;
        var log = new StreamWriter(logPath) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"), logPath);
        await server.WaitUntilLiveAsync();
        return server;
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a node that dies.</summary>
    public void KillHard()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    /// <summary>Waits until the process has ended by itself (a crash point killed it); false at the deadline.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    async Task WaitUntilLiveAsync()
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var watch = Stopwatch.StartNew();
        while (true)
        {
            Assert.That(process.HasExited, Is.False, $"The server process exited; see {LogPath}");
            try
            {
                using var response = await client.GetAsync("/health/live");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too slow to answer on a loaded machine: ask again.
            }
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), $"The server did not come up; see {LogPath}");
            await Task.Delay(100);
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
