using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ExecutionPlanner.Server;

namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// The repository's docker-compose.yml as a user runs it: images built by deploy/compose/build-images.sh, the
/// stack started with Debian's docker-compose under a project name of its own, its server on a free loopback
/// port, its job containers under an instance label of its own, and a server image tag of its own, so that it
/// collides with no other test or checkout on the same engine.
/// </summary>
public sealed class ComposeDeployment
{
    static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(20);
    static readonly TimeSpan ComposeTimeout = TimeSpan.FromMinutes(5);

    ComposeDeployment(string repository, string project, int port)
    {
        Repository = repository;
        Project = project;
        Port = port;
        ServerImage = $"executionplanner/server:{project}";
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public string Repository { get; }

    public string Project { get; }

    public int Port { get; }

    /// <summary>Also the server's Execution:Instance, the label of this stack's job containers.</summary>
    public string Instance => Project;

    public string ServerImage { get; }

    public Uri BaseAddress { get; }

    public static ComposeDeployment Create()
    {
        if (FindOnPath("docker-compose") is null)
        {
            RequiredServices.Missing("docker-compose (Debian's docker-compose)");
        }
        if (FindOnPath("docker") is null)
        {
            RequiredServices.Missing("the docker command");
        }
        return new ComposeDeployment(FindRepository(), $"ep-compose-test-{Guid.NewGuid():N}"[..28], FreePort());
    }

    /// <summary>
    /// Runs the build script, publishing the server from the build this test runs from (--no-build), so the
    /// checkout is never rebuilt under a running test.
    /// </summary>
    public Task<ProcessOutcome> BuildImagesAsync()
    {
        var configuration = typeof(ExecutionPlannerApp).Assembly.Location.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        return RunAsync("bash", [Path.Combine(Repository, "deploy/compose/build-images.sh")], BuildTimeout,
            ("EP_PUBLISH_NO_BUILD", "1"), ("EP_PUBLISH_CONFIGURATION", configuration), ("EP_SERVER_IMAGE", ServerImage));
    }

    public Task<ProcessOutcome> ComposeAsync(params string[] args) =>
        RunAsync("docker-compose", ["--project-name", Project, "--file", Path.Combine(Repository, "docker-compose.yml"), .. args], ComposeTimeout,
            ("EP_HTTP_PORT", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("EP_SERVER_IMAGE", ServerImage),
            ("EP_INSTANCE", Instance),
            ("EP_NODE_ID", Project),
            ("EP_ALLOW_ANONYMOUS", "true"));

    public static Task<ProcessOutcome> DockerAsync(params string[] args) => RunAsync("docker", args, ComposeTimeout);

    /// <summary>Everything on the engine that belongs to this stack: its containers, volumes, networks and job containers.</summary>
    public async Task<IReadOnlyList<string>> LeftoversAsync()
    {
        var project = $"label=com.docker.compose.project={Project}";
        var found = new List<string>();
        foreach (var (what, args) in new[]
        {
            ("container", new[] { "ps", "-aq", "--filter", project }),
            ("job container", ["ps", "-aq", "--filter", $"label=org.executionplanner.instance={Instance}"]),
            ("volume", ["volume", "ls", "-q", "--filter", project]),
            ("network", ["network", "ls", "-q", "--filter", project]),
        })
        {
            var outcome = await DockerAsync(args);
            Assert.That(outcome.ExitCode, Is.Zero, outcome.ToString);
            found.AddRange(outcome.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(id => $"{what} {id}"));
        }
        return found;
    }

    static async Task<ProcessOutcome> RunAsync(string file, IReadOnlyList<string> args, TimeSpan timeout, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (error) { error.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"{file} {string.Join(' ', args)} did not end within {timeout}:\n{output}\n{error}");
        }
        // The async readers may still hold the last lines; WaitForExit() without a timeout drains them.
        process.WaitForExit();
        return new ProcessOutcome($"{file} {string.Join(' ', args)}", process.ExitCode, output.ToString(), error.ToString());
    }

    static string FindRepository()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "docker-compose.yml")) && File.Exists(Path.Combine(dir.FullName, "ExecutionPlanner.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"No repository (docker-compose.yml) above {TestContext.CurrentContext.TestDirectory}");
    }

    static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed record ProcessOutcome(string Command, int ExitCode, string Output, string Error)
{
    public override string ToString() => $"{Command} exited {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
