using System.Net;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Tests.Support;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// Live job events (Server-Sent Events at /jobs/events and /jobs/{id}/events): the contract's event names and
/// JSON, owner rules as for GET /jobs, and changes made by another node (a second server on the same database).
/// </summary>
public sealed class JobEventsTests : ServerFixture
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>A token both nodes know (every test server otherwise has tokens of its own).</summary>
    static readonly string CrossNodeToken = "cross-" + Guid.NewGuid().ToString("N");

    UwsTestServer other = null!;

    protected override Task<UwsTestServer> StartServerAsync() =>
        UwsTestServer.StartAsync(new Dictionary<string, string?> { [$"Auth:Tokens:{CrossNodeToken}"] = "cross-node-owner" });

    [OneTimeSetUp]
    public async Task StartOtherNode() =>
        // A second node on the same database, with a short heartbeat so that keep-alives can be seen.
        other = await UwsTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Jobs:EventHeartbeat"] = "00:00:00.200",
            [$"Auth:Tokens:{CrossNodeToken}"] = "cross-node-owner",
        });

    [OneTimeTearDown]
    public async Task StopOtherNode()
    {
        if (other is not null)
        {
            await other.DisposeAsync();
        }
    }

    static HttpClient CrossNodeOwner(UwsTestServer node)
    {
        var client = node.Anonymous();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", CrossNodeToken);
        return client;
    }

    [Test]
    public async Task A_job_stream_starts_with_the_current_phase_then_follows_phase_changes_and_messages()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        await using var stream = await EventStreamClient.OpenAsync(client, $"/jobs/{id}/events");

        var first = await stream.NextAsync(Deadline);
        Assert.That(first.Name, Is.EqualTo("phase"));
        Assert.That(first.Field("jobId"), Is.EqualTo(id));
        Assert.That(first.Field("phase"), Is.EqualTo("PENDING"));
        Assert.That(UwsTime.TryParse(first.Field("time"), out var time), Is.True, first.Data);
        Assert.That(first.Id, Is.EqualTo(time.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(first.Json.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "jobId", "phase", "time" }));

        using (var clamp = await client.PostFormAsync($"/jobs/{id}/executionduration", ("EXECUTIONDURATION", "0")))
        {
            Assert.That(clamp.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        var message = await stream.NextAsync(Deadline);
        Assert.That(message.Name, Is.EqualTo("message"), message.Data);
        Assert.That(message.Json.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "jobId", "time", "text" }));
        Assert.That(message.Field("text"), Does.StartWith("EXECUTIONDURATION 0 (unlimited) was set to"));

        using (var run = await client.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "RUN")))
        {
            Assert.That(run.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        Assert.That((await stream.NextAsync(Deadline)).Field("phase"), Is.EqualTo("QUEUED"));
        using (var abort = await client.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "ABORT")))
        {
            Assert.That(abort.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        var aborted = await stream.NextAsync(Deadline);
        Assert.That((aborted.Name, aborted.Field("phase")), Is.EqualTo(("phase", "ABORTED")));
        Assert.That(string.CompareOrdinal(aborted.Id, first.Id), Is.GreaterThanOrEqualTo(0));
    }

    [Test]
    public async Task A_stream_on_one_node_sees_changes_made_on_another()
    {
        using var client = CrossNodeOwner(Server);
        using var twin = CrossNodeOwner(other);
        var id = await client.CreateJobAsync();
        await using var jobStream = await EventStreamClient.OpenAsync(twin, $"/jobs/{id}/events");
        await using var listStream = await EventStreamClient.OpenAsync(twin, "/jobs/events");
        Assert.That((await jobStream.NextAsync(Deadline)).Field("phase"), Is.EqualTo("PENDING"));
        Assert.That((await listStream.NextAsync(Deadline)).Field("jobId"), Is.EqualTo(id), "the list stream starts with the active jobs");

        var second = await client.CreateJobAsync();
        var created = await listStream.NextAsync(Deadline);
        Assert.That((created.Field("jobId"), created.Field("phase")), Is.EqualTo((second, "PENDING")));

        using (var run = await client.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "RUN")))
        {
            Assert.That(run.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        Assert.That((await jobStream.NextAsync(Deadline)).Field("phase"), Is.EqualTo("QUEUED"));
        var queued = await listStream.NextAsync(Deadline);
        Assert.That((queued.Field("jobId"), queued.Field("phase")), Is.EqualTo((id, "QUEUED")));
    }

    [Test]
    public async Task Another_owners_job_is_404_and_their_changes_never_reach_my_list_stream()
    {
        using var mine = Server.NewOwner();
        using var theirs = Server.NewOwner();
        var their = await theirs.CreateJobAsync();
        var (status, body) = await EventStreamClient.RefusedAsync(mine, $"/jobs/{their}/events");
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), body);
        Assert.That(body, Does.Contain(their));
        Assert.That((await EventStreamClient.RefusedAsync(mine, "/jobs/no-such-job/events")).Status, Is.EqualTo(HttpStatusCode.NotFound));

        await using var stream = await EventStreamClient.OpenAsync(mine, "/jobs/events");
        using (var run = await theirs.PostFormAsync($"/jobs/{their}/phase", ("PHASE", "RUN")))
        {
            Assert.That(run.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        // Then one of mine: the first event that arrives must be it, not theirs.
        var own = await mine.CreateJobAsync();
        var e = await stream.NextAsync(Deadline);
        Assert.That(e.Field("jobId"), Is.EqualTo(own));
    }

    [Test]
    public async Task Without_credentials_where_the_operator_requires_them_the_streams_answer_401()
    {
        await using var closed = await UwsTestServer.StartAsync(new Dictionary<string, string?> { ["Auth:AllowAnonymous"] = "false" });
        using var anonymous = closed.Anonymous();
        Assert.That((await EventStreamClient.RefusedAsync(anonymous, "/jobs/events")).Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await EventStreamClient.RefusedAsync(anonymous, "/jobs/x/events")).Status, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Deleting_the_job_sends_deleted_and_ends_its_stream()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        await using var stream = await EventStreamClient.OpenAsync(client, $"/jobs/{id}/events");
        Assert.That((await stream.NextAsync(Deadline)).Field("phase"), Is.EqualTo("PENDING"));
        using (var delete = await client.DeleteAsync($"/jobs/{id}"))
        {
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        var rest = await stream.WaitForEndAsync(Deadline);
        Assert.That(rest.Select(e => (e.Name, e.Field("jobId"))), Is.EqualTo(new[] { ("deleted", id) }));
    }

    [Test]
    public async Task A_list_stream_reconnecting_with_Last_Event_ID_is_told_the_phases_it_missed()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        string lastId;
        await using (var stream = await EventStreamClient.OpenAsync(client, "/jobs/events"))
        {
            lastId = (await stream.NextAsync(Deadline)).Id!;
        }
        // While disconnected the job runs to a terminal phase: no longer active, yet changed after lastId.
        using (var abort = await client.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "ABORT")))
        {
            Assert.That(abort.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        await using var again = await EventStreamClient.OpenAsync(client, "/jobs/events", lastEventId: lastId);
        var missed = await again.NextAsync(Deadline);
        Assert.That((missed.Field("jobId"), missed.Field("phase")), Is.EqualTo((id, "ABORTED")));

        // Without Last-Event-ID only active jobs are reported on connect. The ABORT's own NOTIFY may still reach this
        // node after the new stream subscribed (it was committed just before): then it comes as that change, ABORTED.
        await using var fresh = await EventStreamClient.OpenAsync(client, "/jobs/events");
        var other = await client.CreateJobAsync();
        var skipped = new List<ReceivedEvent>();
        await fresh.WaitForAsync(e => e.Field("jobId") == other, Deadline, skipped);
        Assert.That(skipped.Select(e => (e.Field("jobId"), e.Field("phase"))), Is.All.EqualTo((id, "ABORTED")));
    }

    [Test]
    public async Task A_quiet_stream_sends_keep_alive_comments()
    {
        using var client = other.NewOwner();
        var id = await client.CreateJobAsync();
        await using var stream = await EventStreamClient.OpenAsync(client, $"/jobs/{id}/events");
        await stream.NextAsync(Deadline);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (stream.Comments < 2)
        {
            Assert.That(watch.Elapsed, Is.LessThan(Deadline), "no keep-alive comments");
            await Task.Delay(50);
        }
        Assert.That(stream.Ended, Is.False);
    }
}
