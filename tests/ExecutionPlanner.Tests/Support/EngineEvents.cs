using System.Diagnostics;
using System.Text.Json;
using ExecutionPlanner.Server.Execution;

namespace ExecutionPlanner.Tests.Support;

/// <summary>What an engine itself says happened, independent of the server's own bookkeeping.</summary>
public static class EngineEvents
{
    /// <summary>
    /// How many times <paramref name="engine"/> started a container of each job of <paramref name="instance"/>, from its
    /// own event stream (`docker events`, followed live from the call until <paramref name="stop"/>; replaying with
    /// --since reads a bounded buffer and can miss events). The engine drops events for a subscriber that reads too
    /// slowly, so a missing start is not evidence; a double start that was reported is.
    /// </summary>
    public static async Task<Dictionary<string, int>> ContainerStartsAsync(string engine, string instance, CancellationToken stop)
    {
        var start = new ProcessStartInfo("docker")
        {
            ArgumentList =
            {
                "-H", engine, "events", "--format", "{{json .}}",
                "--filter", "type=container", "--filter", "event=start", "--filter", $"label={ContainerLabels.Instance}={instance}",
            },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var events = Process.Start(start)!;
        var starts = new Dictionary<string, int>();
        using var kill = stop.Register(() => events.Kill());
        while (await events.StandardOutput.ReadLineAsync(CancellationToken.None) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            using var e = JsonDocument.Parse(line);
            var job = e.RootElement.GetProperty("Actor").GetProperty("Attributes").GetProperty(ContainerLabels.Job).GetString()!;
            starts[job] = starts.GetValueOrDefault(job) + 1;
        }
        await events.WaitForExitAsync(CancellationToken.None);
        return starts;
    }
}
