using System.Net.Http.Headers;
using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Execution;
using ExecutionPlanner.Tests.Support;
using Npgsql;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// Two server processes on one database, each with its own Docker engine (as nodes on two machines), run 300
/// queued jobs; one is killed with SIGKILL in the middle. Every job must reach a terminal phase that tells the
/// truth, no job may run twice (counted from both engines' own container start events), results of jobs that
/// ran on the dead node are served by the survivor, and the dead node, restarted, clears its engine.
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
    public async Task Two_nodes_with_their_own_engines_run_300_jobs_once_each_and_a_killed_node_leaves_no_job_stuck()
    {
        await ExecutionServer.RequireDockerAsync();
        var engineA = ExecutionPlanner.Tests.Docker.DockerTestEngine.Options().Endpoint.ToString();
        var engineB = SecondEngine();
        var token = $"tok-{Guid.NewGuid():N}";
        var instance = $"node-failure-{Guid.NewGuid():N}";
        var database = await TestDatabase.CreatePrivateAsync();
        Dictionary<string, string> Environment(string node, string engine) => new()
        {
            ["ConnectionStrings__ExecutionPlanner"] = database,
            [$"Auth__Tokens__{token}"] = "node-failure-owner",
            ["Docker__Endpoint"] = engine,
            ["Execution__NodeId"] = node,
            ["Execution__Instance"] = instance,
            ["Execution__Slots"] = "2",
            ["Execution__LeaseDuration"] = "00:00:03",
            ["Execution__PollInterval"] = "00:00:01",
            // Short enough that Hangfire redelivers node A's Hangfire jobs during the test: each redelivery must
            // find nothing left to do.
            ["Hangfire__InvisibilityTimeout"] = "00:00:30",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        try
        {
            await RunAsync(engineA, engineB, token, instance, database, Environment);
        }
        finally
        {
            // Only a failed run leaves containers (a passing one checks both engines are clear).
            await ExecutionPlanner.Tests.Docker.DockerTestEngine.RemoveContainersOfInstanceAsync(instance, engineA);
            await ExecutionPlanner.Tests.Docker.DockerTestEngine.RemoveContainersOfInstanceAsync(instance, engineB);
        }
    }

    static async Task RunAsync(string engineA, string engineB, string token, string instance, string database,
        Func<string, string, Dictionary<string, string>> environmentOf)
    {
        using var stopEvents = new CancellationTokenSource();
        var startsOnA = EngineEvents.ContainerStartsAsync(engineA, instance, stopEvents.Token);
        var startsOnB = EngineEvents.ContainerStartsAsync(engineB, instance, stopEvents.Token);
        await using var doomed = await ServerProcess.StartAsync("node-a", environmentOf("node-a", engineA));
        await using var survivor = await ServerProcess.StartAsync("node-b", environmentOf("node-b", engineB));
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
        var ranOnA = await IdsAsync(database, "phase = 'COMPLETED' AND lease_owner = 'node-a'");
        doomed.KillHard();

        await WaitForNoActiveJobAsync(database, TimeSpan.FromMinutes(5));
        var phases = await PhasesAsync(database);

        // A result of a job that ran on node A (its engine's container is long gone) comes from node B.
        var resultOfA = ranOnA.First();
        using var result = await client.GetAsync($"jobs/{resultOfA}/results/out.txt");
        var resultText = await result.Content.ReadAsStringAsync();

        // Node A comes back under its name: it settles nothing (B did) and clears its own engine.
        await using (var restarted = await ServerProcess.StartAsync("node-a-again", environmentOf("node-a", engineA)))
        {
            await ExecutionTests.WaitUntilAsync(async () => (await ExecutionPlanner.Tests.Docker.DockerTestEngine.ContainersOfInstanceAsync(instance, engineA)).Count == 0, TimeSpan.FromSeconds(60));
        }
        await ExecutionTests.WaitUntilAsync(async () => (await ExecutionPlanner.Tests.Docker.DockerTestEngine.ContainersOfInstanceAsync(instance, engineB)).Count == 0, TimeSpan.FromSeconds(30));
        await stopEvents.CancelAsync();
        var starts = Sum(await startsOnA, await startsOnB);

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
                "the engines' start events were not seen for most completed jobs");
            Assert.That(phases.Values.Count(p => p.Phase == "ERROR"), Is.LessThanOrEqualTo(2),
                "only the jobs running on node A when it died may be lost");
            Assert.That(ranOnA, Is.Not.Empty, "node A ran jobs before it died");
            Assert.That(result.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
            Assert.That(resultText.Trim(), Is.EqualTo(ids.IndexOf(resultOfA).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });
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

    /// <summary>Waits until every job has ended; if some never do, the failure names them with their Hangfire state.</summary>
    static async Task WaitForNoActiveJobAsync(string database, TimeSpan deadline)
    {
        const string Active = "phase IN ('QUEUED','EXECUTING','PENDING')";
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (await CountAsync(database, Active) > 0 && watch.Elapsed < deadline)
        {
            await Task.Delay(250);
        }
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        // A Hangfire job's first argument is its UWS job id, stored as JSON text.
        await using var command = new NpgsqlCommand($"""
            SELECT u.id, u.phase, u.lease_owner, u.container_started_at IS NOT NULL, u.attempt,
                   string_agg(h.id || ':' || h.statename || ' fetched ' || coalesce(q.fetchedat::text, '-'), ', ')
            FROM jobs u
            LEFT JOIN hangfire.job h ON h.arguments->>0 = '"' || u.id || '"'
            LEFT JOIN hangfire.jobqueue q ON q.jobid = h.id
            WHERE u.owner_id = 'node-failure-owner' AND u.{Active}
            GROUP BY u.id, u.phase, u.lease_owner, u.container_started_at, u.attempt
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var stuck = new List<string>();
        while (await reader.ReadAsync())
        {
            stuck.Add($"{reader.GetString(0)} {reader.GetString(1)} lease {(reader.IsDBNull(2) ? "-" : reader.GetString(2))} " +
                $"started {reader.GetBoolean(3)} attempt {reader.GetInt32(4)} hangfire [{(reader.IsDBNull(5) ? "none" : reader.GetString(5))}]");
        }
        Assert.That(stuck, Is.Empty, $"jobs still active after {deadline}");
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

    /// <summary>The second engine started by deploy/run-tests.sh (ep_ensure_dockerd2); its absence fails the test.</summary>
    static string SecondEngine()
    {
        var endpoint = System.Environment.GetEnvironmentVariable("EP_TEST_DOCKER2");
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            Assert.Fail("EP_TEST_DOCKER2 is not set: deploy/run-tests.sh starts a second dockerd (ep_ensure_dockerd2) and sets it.");
        }
        return endpoint!;
    }

    static async Task<List<string>> IdsAsync(string database, string where)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT id FROM jobs WHERE owner_id = 'node-failure-owner' AND {where}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    static Dictionary<string, int> Sum(Dictionary<string, int> a, Dictionary<string, int> b)
    {
        var sum = new Dictionary<string, int>(a);
        foreach (var (job, count) in b)
        {
            sum[job] = sum.GetValueOrDefault(job) + count;
        }
        return sum;
    }
}
