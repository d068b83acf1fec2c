using System.Net;
using ExecutionPlanner.Tests.Support;
using Npgsql;
using static ExecutionPlanner.Tests.Support.UwsClient;
using ExecutionPlanner.Tests.Docker;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// While the database cannot be reached, requests answer 503 with Retry-After (never 500), readiness answers at
/// once, and when it is back everything stored before is there. The outage is a forwarder cut in front of the
/// real PostgreSQL (<see cref="UnixSocketOutage"/>), so other tests sharing that server are not disturbed.
/// </summary>
[Category("PostgreSQL")]
[NonParallelizable]
public sealed class DatabaseOutageTests
{
    [Test]
    public async Task Requests_during_a_database_outage_get_503_with_retry_after_and_nothing_is_lost()
    {
        await using var proxy = UnixSocketOutage.StartPostgres();
        var database = new NpgsqlConnectionStringBuilder(await TestDatabase.CreatePrivateAsync()).Database!;
        await using var server = await UwsTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:ExecutionPlanner"] = proxy.ConnectionString(database),
        });
        using var client = server.NewOwner();
        var id = await client.CreateJobAsync(("RUNID", "kept"));
        var waiting = client.GetAsync($"/jobs/{id}?WAIT=3");

        await proxy.CutAsync();
        NpgsqlConnection.ClearAllPools();
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/jobs"), (HttpMethod.Get, $"/jobs/{id}"), (HttpMethod.Post, "/jobs") })
        {
            using var request = new HttpRequestMessage(method, path);
            if (method == HttpMethod.Post)
            {
                request.Content = new FormUrlEncodedContent([KeyValuePair.Create("image", Image)]);
            }
            using var response = await client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), $"{method} {path}");
            Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("database cannot be reached"));
        }
        using (var waited = await waiting)
        {
            Assert.That(waited.StatusCode, Is.AnyOf(HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable),
                "a blocked WAIT ends with the job as last seen or 503, never 500");
        }
        var started = System.Diagnostics.Stopwatch.StartNew();
        using (var ready = await client.GetAsync("/health/ready"))
        {
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        }
        Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "readiness answers, it does not hang");

        proxy.Restore();
        var job = await client.GetJobAsync(id);
        Assert.That(job.Element(Uws + "runId")!.Value, Is.EqualTo("kept"));
        Assert.That(PhaseOf(job), Is.EqualTo("PENDING"));
    }

    [Test]
    [Category("Docker")]
    public async Task Running_containers_outlive_a_database_outage_and_are_collected_when_it_is_back()
    {
        await ExecutionServer.RequireDockerAsync();
        await using var proxy = UnixSocketOutage.StartPostgres();
        var database = new NpgsqlConnectionStringBuilder(await TestDatabase.CreatePrivateAsync()).Database!;
        await using var server = await ExecutionServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:ExecutionPlanner"] = proxy.ConnectionString(database),
        });
        using var client = server.NewOwner();
        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            ids.Add(await client.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"), ("cmd", $"sleep 4; echo {i} > /uws/results/n.txt"), ("PHASE", "RUN")));
        }
        foreach (var id in ids)
        {
            await client.WaitWhileAsync(id, TimeSpan.FromSeconds(60), "PENDING", "QUEUED");
        }

        // The database goes away while both containers run, and comes back after they have exited.
        await proxy.CutAsync();
        NpgsqlConnection.ClearAllPools();
        await ExecutionTests.WaitUntilAsync(async () =>
        {
            using var docker = await DockerTestEngine.ConnectOrSkipAsync();
            var running = 0;
            foreach (var id in ids)
            {
                var containers = await docker.ListContainersAsync([$"org.executionplanner.job={id}"], CancellationToken.None);
                running += containers.Count(c => c.State == "running");
            }
            return running == 0;
        }, TimeSpan.FromSeconds(30));
        proxy.Restore();

        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            var job = await client.WaitForEndAsync(id, TimeSpan.FromSeconds(90));
            Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString());
            Assert.That((await client.GetTextAsync($"/jobs/{id}/results/n.txt")).Body, Is.EqualTo($"{i}\n"));
        }
    }
}
