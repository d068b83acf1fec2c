using System.Net.Http.Headers;
using ExecutionPlanner.Server.Execution;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// A node killed (SIGKILL) at each step of a job's run, then started again under the same name: the job ends in
/// a truthful terminal phase and its container was started at most once (counted from the engine's own events).
/// The crash comes from inside (EP_CRASH_AT, see <see cref="CrashPoints"/>), so it lands exactly on the step.
/// </summary>
[Category("PostgreSQL")]
[Category("Docker")]
[NonParallelizable]
public sealed class CrashPointTests
{
    static IEnumerable<string> Steps => CrashPoints.All;

    [TestCaseSource(nameof(Steps))]
    public async Task A_node_killed_at_a_step_loses_no_job_and_runs_none_twice(string step)
    {
        await ExecutionServer.RequireDockerAsync();
        var token = $"tok-{Guid.NewGuid():N}";
        var instance = $"crash-{Guid.NewGuid():N}";
        var database = await TestDatabase.CreatePrivateAsync();
        Dictionary<string, string> Environment(bool crash)
        {
            var environment = new Dictionary<string, string>
            {
                ["ConnectionStrings__ExecutionPlanner"] = database,
                [$"Auth__Tokens__{token}"] = "crash-owner",
                ["Execution__NodeId"] = "crash-node",
                ["Execution__Instance"] = instance,
                ["Execution__Slots"] = "1",
                ["Execution__LeaseDuration"] = "00:00:03",
                ["Hangfire__InvisibilityTimeout"] = "00:00:30",
                ["Logging__LogLevel__Default"] = "Warning",
            };
            if (crash)
            {
                environment["EP_CRASH_AT"] = step;
            }
            return environment;
        }
        using var stopEvents = new CancellationTokenSource();
        var starts = EngineEvents.ContainerStartsAsync(ExecutionPlanner.Tests.Docker.DockerTestEngine.Options().Endpoint.ToString(), instance, stopEvents.Token);

        string id;
        await using (var doomed = await ServerProcess.StartAsync($"crash-{step}", Environment(crash: true)))
        {
            using var client = Client(doomed, token);
            id = await client.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"), ("cmd", "echo ran > /uws/results/out.txt; sleep 2"));
            try
            {
                using var _ = await client.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "RUN"));
            }
            catch (HttpRequestException)
            {
                // The node may die before it answers: the RUN either committed or not; both must end well.
            }
            Assert.That(await doomed.WaitForExitAsync(TimeSpan.FromSeconds(60)), Is.True, $"the node never reached {step}; see {doomed.LogPath}");
        }

        await using var again = await ServerProcess.StartAsync($"crash-{step}-again", Environment(crash: false));
        using var survivor = Client(again, token);
        if (await survivor.PhaseAsync(id) == "PENDING")
        {
            // The RUN itself never committed (only possible if the node died while answering it): send it again.
            using var _ = await survivor.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "RUN"));
        }
        var job = await survivor.WaitForEndAsync(id, TimeSpan.FromSeconds(90));
        await stopEvents.CancelAsync();
        var started = (await starts).GetValueOrDefault(id);

        var (_, result) = await survivor.GetTextAsync($"/jobs/{id}/results/out.txt");
        var phase = PhaseOf(job);
        var summary = job.Element(Uws + "errorSummary")?.Value ?? string.Empty;
        // Nothing stays on the engine: the dead attempt's container (say, one settled just before the kill) is removed
        // by the restarted node's orphan sweep (every half lease, here 1.5 s).
        var leftovers = await ContainersLeftAsync(instance, TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(leftovers, Is.Empty, "containers left on the engine");
            Assert.That(started, Is.LessThanOrEqualTo(1), $"the job's container was started {started} times");
            if (step == CrashPoints.Started)
            {
                // Killed while its container ran: the restarted node finds it still running (killed: ERROR, lost with
                // its node) or already finished (its outcome collected: COMPLETED). Either is the truth.
                Assert.That(phase == "COMPLETED" || summary.Contains("lost with its node", StringComparison.Ordinal),
                    $"{phase}: {summary}");
            }
            else
            {
                Assert.That(phase, Is.EqualTo("COMPLETED"), $"{summary}; see {again.LogPath}");
                Assert.That(result.Trim(), Is.EqualTo("ran"), "the job's result");
            }
        });
    }

    /// <summary>The instance's containers still on the engine once none is left or <paramref name="within"/> passed.</summary>
    static async Task<IReadOnlyList<string>> ContainersLeftAsync(string instance, TimeSpan within)
    {
        var deadline = TimeProvider.System.GetUtcNow() + within;
        while (true)
        {
            var left = await ExecutionPlanner.Tests.Docker.DockerTestEngine.ContainersOfInstanceAsync(instance);
            if (left.Count == 0 || TimeProvider.System.GetUtcNow() >= deadline)
            {
                return [.. left.Select(c => $"{c.Id[..12]} {string.Join(',', c.Labels.Select(l => $"{l.Key}={l.Value}"))}")];
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    static HttpClient Client(ServerProcess server, string token)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
