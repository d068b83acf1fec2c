using System.Net.Http.Headers;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Execution;
using ExecutionPlanner.Tests.Support;
using Npgsql;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// Two server processes on one database and one engine run 300 queued jobs; one is killed with
/// SIGKILL in the middle. Every job must reach a terminal phase that tells the truth, and no job may
/// run twice (counted from the engine's own container start events).
/// </summary>
[Category("PostgreSQL")]
[Category("Docker")]
// Alone: two extra server processes and 300 containers, and it measures time; each test has a private database.
[NonParallelizable]
public sealed class NodeFailureTests
{
    const int Jobs = 300;
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Two_nodes_run_300_jobs_once_each_and_a_killed_node_leaves_no_job_stuck()
    {
        await ExecutionServer.RequireDockerAsync();
        var token = $"tok-{Guid.NewGuid():N}";
        var instance = $"node-failure-{Guid.NewGuid():N}";
        var database = await TestDatabase.CreatePrivateAsync();
        Dictionary<string, string> Environment(string node) => new()
        {
            ["ConnectionStrings__ExecutionPlanner"] = database,
            [$"Auth__Tokens__{token}"] = "node-failure-owner",
            ["Execution__NodeId"] = node,
            ["Execution__Instance"] = instance,
            ["Execution__Slots"] = "2",
            ["Execution__LeaseDuration"] = "00:00:03",
            ["Execution__PollInterval"] = "00:00:01",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        using var stopEvents = new CancellationTokenSource();
        var startsTask = ContainerStartsAsync(instance, stopEvents.Token);
        await using var doomed = await ServerProcess.StartAsync("node-a", Environment("node-a"));
        await using var survivor = await ServerProcess.StartAsync("node-b", Environment("node-b"));
        using var client = Client(survivor, token);

        var ids = new List<string>();
        for (var i = 0; i < Jobs; i++)
        {
            ids.Add(await client.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"),
                ("cmd", $"echo {i} > /uws/results/out.txt"), ("PHASE", "RUN")));
        }

        // Kill node A while it is running jobs (both slots busy), a third of the way through.
        await ExecutionTests.WaitUntilAsync(async () => await CountAsync(database, "phase = 'COMPLETED'") >= Jobs / 3, TimeSpan.FromMinutes(3));
        await ExecutionTests.WaitUntilAsync(async () => await CountAsync(database, "phase = 'EXECUTING' AND lease_owner = 'node-a' AND container_started_at IS NOT NULL") > 0,
            TimeSpan.FromSeconds(30));
        doomed.KillHard();

        await ExecutionTests.WaitUntilAsync(async () => await CountAsync(database, "phase IN ('QUEUED','EXECUTING','PENDING')") == 0,
            TimeSpan.FromMinutes(5));
        var phases = await PhasesAsync(database);
        await stopEvents.CancelAsync();
        var starts = await startsTask;

        Assert.Multiple(() =>
        {
            Assert.That(phases, Has.Count.EqualTo(Jobs));
            Assert.That(phases.Values.Select(p => p.Phase), Is.All.AnyOf("COMPLETED", "ERROR"), survivor.LogPath);
            foreach (var (id, (phase, summary)) in phases)
            {
                var started = starts.GetValueOrDefault(id);
                Assert.That(started, Is.LessThanOrEqualTo(1), $"job {id} was started {started} times");
                if (phase != "COMPLETED")
                {
                    Assert.That(summary, Does.Contain("lost with its node node-a"), $"job {id}: {summary}");
                }
            }
            // The engine drops events for a subscriber that reads too slowly (moby's publisher gives each
            // subscriber 100 ms), so a missing start is not evidence; a double start that was reported is.
            // Most completed jobs must show their start, or the event stream did not work at all.
            var completed = phases.Where(p => p.Value.Phase == "COMPLETED").Select(p => p.Key).ToList();
            Assert.That(completed.Count(id => starts.GetValueOrDefault(id) == 1), Is.GreaterThanOrEqualTo(completed.Count * 9 / 10),
                "the engine's start events were not seen for most completed jobs");
            Assert.That(phases.Values.Count(p => p.Phase == "ERROR"), Is.LessThanOrEqualTo(2),
                "only the jobs running on node A when it died may be lost");
        });
        await ExecutionTests.WaitUntilAsync(async () => (await ContainersOfInstanceAsync(instance)).Count == 0, TimeSpan.FromSeconds(30));
    }

    [Test]
    public async Task A_restarted_node_with_a_stable_name_settles_its_own_leftovers_at_once()
    {
        await ExecutionServer.RequireDockerAsync();
        var token = $"tok-{Guid.NewGuid():N}";
        var database = await TestDatabase.CreatePrivateAsync();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__ExecutionPlanner"] = database,
            [$"Auth__Tokens__{token}"] = $"restart-{token[4..12]}",
            ["Execution__NodeId"] = $"stable-{token[4..12]}",
            // Far longer than the test: only the start-up reconciliation can settle the job in time.
            ["Execution__LeaseDuration"] = "00:10:00",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        string id;
        await using (var first = await ServerProcess.StartAsync("restart-1", environment))
        {
            using var client = Client(first, token);
            id = await client.CreateJobAsync(("cmd", "sleep"), ("cmd", "60"), ("PHASE", "RUN"));
            await ExecutionTests.WaitUntilAsync(async () =>
                await JobRows.CountOnAsync(database, "SELECT count(*) FROM jobs WHERE id = $1 AND container_started_at IS NOT NULL", id) == 1, Deadline);
            first.KillHard();
        }
        await using var second = await ServerProcess.StartAsync("restart-2", environment);
        using var again = Client(second, token);
        var job = await again.WaitForEndAsync(id, TimeSpan.FromSeconds(30));
        Assert.That(PhaseOf(job), Is.EqualTo("ERROR"));
        Assert.That(job.Element(Uws + "errorSummary")!.Value, Does.Contain("lost with its node"));
    }

    static HttpClient Client(ServerProcess server, string token)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    static async Task<long> CountAsync(string database, string where)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM jobs WHERE owner_id = 'node-failure-owner' AND {where}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    static async Task<Dictionary<string, (string Phase, string? Summary)>> PhasesAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, phase, error_summary FROM jobs WHERE owner_id = 'node-failure-owner'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var phases = new Dictionary<string, (string, string?)>();
        while (await reader.ReadAsync())
        {
            phases[reader.GetString(0)] = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
        }
        return phases;
    }

    /// <summary>
    /// How many times the engine started a container of each job: its own event stream, followed live
    /// from before the first job (replaying with 'since' reads a bounded buffer and can miss events).
    /// </summary>
    static async Task<Dictionary<string, int>> ContainerStartsAsync(string instance, CancellationToken stop)
    {
        // The engine's event stream through Docker.DotNet (the adapter has no use for events), pinned to the
        // version the adapter negotiates.
        using var adapter = new DockerEngineClient(ExecutionPlanner.Tests.Docker.DockerTestEngine.Options());
        await adapter.ConnectAsync(CancellationToken.None);
        using var docker = new DockerClientBuilder().WithEndpoint(adapter.Endpoint).WithApiVersion(adapter.ApiVersion).Build();
        var starts = new Dictionary<string, int>();
        var progress = new EventCounter(e =>
        {
            var job = e.Actor.Attributes[ContainerLabels.Job];
            lock (starts)
            {
                starts[job] = starts.GetValueOrDefault(job) + 1;
            }
        });
        var filters = new Dictionary<string, IDictionary<string, bool>>
        {
            ["type"] = new Dictionary<string, bool> { ["container"] = true },
            ["event"] = new Dictionary<string, bool> { ["start"] = true },
            ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Instance}={instance}"] = true },
        };
        try
        {
            await docker.System.MonitorEventsAsync(new ContainerEventsParameters { Filters = filters }, progress, stop);
        }
        catch (OperationCanceledException)
        {
            // Stopped by the test once every job has finished.
        }
        lock (starts)
        {
            return new Dictionary<string, int>(starts);
        }
    }

    /// <summary>Counts on the reading thread (Progress&lt;T&gt; would post to a context and could lag behind).</summary>
    sealed class EventCounter(Action<Message> count) : IProgress<Message>
    {
        public void Report(Message value) => count(value);
    }

    static async Task<IReadOnlyList<ContainerSummary>> ContainersOfInstanceAsync(string instance)
    {
        using var docker = new DockerEngineClient(ExecutionPlanner.Tests.Docker.DockerTestEngine.Options());
        return await docker.ListContainersAsync([$"{ContainerLabels.Instance}={instance}"], CancellationToken.None);
    }
}
