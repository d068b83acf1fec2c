using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.PlannerClient;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>Accepted offers become jobs that the dispatcher runs as real containers.</summary>
[Category("PostgreSQL")]
[Category("Docker")]
[Parallelizable(ParallelScope.Children)]
public sealed class PlannerExecutionTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    UwsTestServer server = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        await ExecutionServer.RequireDockerAsync();
        // A platform large enough that other fixtures' queued jobs in the shared database never fill it.
        server = await ExecutionServer.StartAsync(new Dictionary<string, string?>
        {
            ["Planner:PlatformCores"] = "1000",
            ["Planner:PlatformMemory"] = "4000Gi",
            ["Planner:SweepInterval"] = "00:00:00.200",
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    [Test]
    public async Task An_accepted_offer_runs_to_completed_through_the_dispatcher()
    {
        using var client = server.NewOwner();
        var set = await client.AskAsync(DockerTask(coresMin: 0.5m, coresMax: 1, memoryMin: 0.25m, memoryMax: 0.5m, duration: "PT2M"));
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("YES"), set.ToJsonString());
        var accepted = await client.AcceptAsync(Href(Offers(set)[0]));
        var jobId = new Uri(accepted["job"]!.GetValue<string>()).Segments[^1];
        var job = await client.WaitForEndAsync(jobId, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString());
        Assert.That(await client.GetTextAsync($"/jobs/{jobId}/results/out.txt"), Is.EqualTo((System.Net.HttpStatusCode.OK, "planned\n")));
    }

    [Test]
    public async Task A_session_accepted_through_the_calycopis_routes_follows_its_job_to_completed()
    {
        using var client = server.NewOwner();
        var task = DockerTask(coresMin: 0.5m, coresMax: 1, memoryMin: 0.25m, memoryMax: 0.5m, duration: "PT2M");
        using var posted = await client.PostAsync("/requests", new System.Net.Http.StringContent(task.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.That(posted.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.SeeOther), await posted.Content.ReadAsStringAsync());
        using var got = await client.GetAsync(posted.Headers.Location!.PathAndQuery);
        var set = AssertOfferSet(await got.Content.ReadAsStringAsync());
        var session = Offers(set)[0]!["meta"]!["url"]!.GetValue<string>();
        var (status, accepted, body) = await client.UpdateAsync(session, PhaseUpdateMessage("ACCEPTED"));
        Assert.That(status, Is.EqualTo(System.Net.HttpStatusCode.OK), body);
        Assert.That(accepted!["phase"]!.GetValue<string>(), Is.AnyOf("PREPARING", "RUNNING", "COMPLETED"));
        var job = accepted["job"]!.GetValue<string>();
        var ended = await client.WaitForEndAsync(new Uri(job).Segments[^1], Deadline);
        Assert.That(PhaseOf(ended), Is.EqualTo("COMPLETED"), ended.ToString());
        var read = await client.GetSessionAsync(session);
        Assert.That(read["phase"]!.GetValue<string>(), Is.EqualTo("COMPLETED"));
        Assert.That(read["job"]!.GetValue<string>(), Is.EqualTo(job));
    }

    [Test]
    public async Task Cancelling_a_running_session_aborts_its_container()
    {
        using var client = server.NewOwner();
        var task = DockerTask(coresMin: 0.5m, coresMax: 0.5m, memoryMin: 0.25m, memoryMax: 0.25m, duration: "PT2M");
        task["executable"]!["command"] = new System.Text.Json.Nodes.JsonArray("sleep", "60");
        var set = await client.AskAsync(task);
        var session = Href(Offers(set)[0]).Replace("/planner/offers/", "/sessions/", StringComparison.Ordinal);
        var (_, accepted, body) = await client.UpdateAsync(session, PhaseUpdateMessage("ACCEPTED"));
        Assert.That(accepted, Is.Not.Null, body);
        var jobId = new Uri(accepted!["job"]!.GetValue<string>()).Segments[^1];
        var running = await client.WaitWhileAsync(jobId, Deadline, "PENDING", "QUEUED");
        Assert.That(PhaseOf(running), Is.EqualTo("EXECUTING"), running.ToString());
        Assert.That((await client.GetSessionAsync(session))["phase"]!.GetValue<string>(), Is.EqualTo("RUNNING"));

        var (status, cancelled, text) = await client.UpdateAsync(session, PhaseUpdateMessage("CANCELLED"));
        Assert.That(status, Is.EqualTo(System.Net.HttpStatusCode.OK), text);
        Assert.That(cancelled!["phase"]!.GetValue<string>(), Is.EqualTo("CANCELLED"));
        var ended = await client.WaitForEndAsync(jobId, Deadline);
        Assert.That(PhaseOf(ended), Is.EqualTo("ABORTED"), ended.ToString());
    }

    [Test]
    public async Task A_held_job_is_queued_at_its_slot_and_then_runs()
    {
        using var client = server.NewOwner();
        var task = DockerTask(coresMin: 0.5m, coresMax: 0.5m, memoryMin: 0.25m, memoryMax: 0.25m, duration: "PT2M");
        var start = TimeProvider.System.GetUtcNow().AddSeconds(10);
        task["schedule"]!["requested"]!["start"] = $"{start:yyyy-MM-ddTHH:mm:ss.fff}Z/PT1M";
        var set = await client.AskAsync(task);
        var accepted = await client.AcceptAsync(Href(Offers(set)[0]));
        var jobId = new Uri(accepted["job"]!.GetValue<string>()).Segments[^1];
        Assert.That(await client.PhaseAsync(jobId), Is.EqualTo("HELD"));
        var job = await client.WaitForEndAsync(jobId, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString());
        var started = DateTimeOffset.Parse(job.Element(Uws + "startTime")!.Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(started, Is.GreaterThanOrEqualTo(StartOf(Offers(set)[0]!)), "not before its slot");
    }
}
