using ExecutionPlanner.Tests.Support;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>Settings for a server that runs containers on the real engine (the test script starts dockerd).</summary>
public static class ExecutionServer
{
    /// <summary>A server that runs jobs, on a private database: its dispatcher claims every QUEUED job it sees.</summary>
    public static async Task<UwsTestServer> StartAsync(IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:ExecutionPlanner"] = await TestDatabase.CreatePrivateAsync(),
            ["Execution:Enabled"] = "true",
            ["Execution:Slots"] = "2",
            ["Execution:PollInterval"] = "00:00:01",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        return await UwsTestServer.StartAsync(settings);
    }

    /// <summary>The engine and the job image must be there: ignored on a laptop without them, a failure on CI.</summary>
    public static async Task RequireDockerAsync()
    {
        using var docker = await ExecutionPlanner.Tests.Docker.DockerTestEngine.ConnectOrSkipAsync();
    }
}
