using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// While the Docker engine cannot be reached, queued jobs stay QUEUED and spend no attempts; when it answers again
/// they run to COMPLETED. The outage is a forwarder cut in front of the real engine's socket
/// (<see cref="UnixSocketOutage"/>), so other tests sharing the engine are not disturbed.
/// </summary>
[Category("Docker")]
[NonParallelizable]
public sealed class EngineOutageTests
{
    [Test]
    public async Task Queued_jobs_wait_for_the_engine_without_spending_attempts_and_then_complete()
    {
        await ExecutionServer.RequireDockerAsync();
        await using var engine = UnixSocketOutage.StartDocker();
        await using var server = await ExecutionServer.StartAsync(new Dictionary<string, string?>
        {
            ["Docker:Endpoint"] = engine.DockerEndpoint,
            ["Execution:MaxAttempts"] = "2",
        });
        using var client = server.NewOwner();
        // The node is up and has talked to the engine; now the engine goes away.
        var first = await client.CreateJobAsync(("cmd", "true"), ("PHASE", "RUN"));
        Assert.That(PhaseOf(await client.WaitForEndAsync(first, TimeSpan.FromSeconds(60))), Is.EqualTo("COMPLETED"));
        await engine.CutAsync();

        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await client.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"), ("cmd", $"echo {i} > /uws/results/n.txt"), ("PHASE", "RUN")));
        }
        // Several poll intervals and back-offs: long enough for a node that burns attempts to end them all in ERROR.
        // (An observation window, not a wait for a condition: the point is that nothing changes during it.)
        var window = System.Diagnostics.Stopwatch.StartNew();
        while (window.Elapsed < TimeSpan.FromSeconds(6))
        {
            foreach (var id in ids)
            {
                Assert.That(await client.PhaseAsync(id), Is.AnyOf("QUEUED", "EXECUTING"), "a job waits while the engine is away");
            }
            await Task.Delay(500);
        }
        var attempts = await JobRows.CountOnAsync(server.ConnectionString, "SELECT coalesce(max(attempt), 0) FROM jobs WHERE id = ANY($1)", new object[] { ids.ToArray() });
        Assert.That(attempts, Is.LessThanOrEqualTo(1), "an outage spends no attempts");

        engine.Restore();
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            var job = await client.WaitForEndAsync(id, TimeSpan.FromSeconds(90));
            Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString());
            Assert.That((await client.GetTextAsync($"/jobs/{id}/results/n.txt")).Body, Is.EqualTo($"{i}\n"));
        }
    }
}
