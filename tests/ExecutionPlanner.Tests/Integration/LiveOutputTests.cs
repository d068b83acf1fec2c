using System.Net;
using System.Net.Http.Headers;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// A running job's stdout and stderr, seen from a node that does not run it: as stdout/stderr events of its
/// stream and at …/results/stdout while it runs, then the stored results once it ends.
/// </summary>
[Category("Docker")]
public sealed class LiveOutputTests : ServerFixture
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    static readonly string Token = "live-" + Guid.NewGuid().ToString("N");

    UwsTestServer viewer = null!;

    protected override async Task<UwsTestServer> StartServerAsync()
    {
        await ExecutionServer.RequireDockerAsync();
        return await ExecutionServer.StartAsync(new Dictionary<string, string?> { [$"Auth:Tokens:{Token}"] = "live-owner" });
    }

    [OneTimeSetUp]
    public async Task StartViewer() =>
        // Same database, runs nothing: it can only know the output from what the running node publishes.
        viewer = await UwsTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:ExecutionPlanner"] = Server.ConnectionString,
            [$"Auth:Tokens:{Token}"] = "live-owner",
        });

    [OneTimeTearDown]
    public async Task StopViewer()
    {
        if (viewer is not null)
        {
            await viewer.DisposeAsync();
        }
    }

    static HttpClient Owner(UwsTestServer node)
    {
        var client = node.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return client;
    }

    [Test]
    public async Task Output_of_a_running_job_is_streamed_and_readable_on_another_node_then_stored()
    {
        using var runner = Owner(Server);
        using var client = Owner(viewer);
        var id = await runner.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"), ("cmd", "echo first; echo oops >&2; while true; do sleep 1; done"));
        await using var stream = await EventStreamClient.OpenAsync(client, $"/jobs/{id}/events");
        Assert.That((await client.GetTextAsync($"/jobs/{id}/results/stdout")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        using (var run = await runner.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "RUN")))
        {
            Assert.That(run.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }

        var seen = new List<ReceivedEvent>();
        var line = await stream.WaitForAsync(e => e.Name == "stdout", Deadline, seen);
        Assert.That((line.Field("jobId"), line.Field("line")), Is.EqualTo((id, "first")));
        Assert.That(line.Json.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "jobId", "line" }));
        Assert.That(seen.Where(e => e.Name == "phase").Select(e => e.Field("phase")), Does.Contain("EXECUTING"));
        var err = await stream.WaitForAsync(e => e.Name == "stderr", Deadline);
        Assert.That(err.Field("line"), Is.EqualTo("oops"));

        using (var live = await client.GetAsync($"/jobs/{id}/results/stdout"))
        {
            Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await live.Content.ReadAsStringAsync(), Is.EqualTo("first\n"));
            Assert.That(live.Headers.GetValues("X-EP-Live-Output"), Is.EqualTo(new[] { "true" }));
            Assert.That(live.Headers.GetValues("X-EP-Output-Bytes"), Is.EqualTo(new[] { "6" }));
        }
        Assert.That(await client.GetTextAsync($"/jobs/{id}/results/stderr"), Is.EqualTo((HttpStatusCode.OK, "oops\n")));

        using (var abort = await client.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "ABORT")))
        {
            Assert.That(abort.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("ABORTED"));
        // The phase is ABORTED at once; the runner then kills the container and stores its output. Until then the
        // live tail answers, never a 404.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var stdout = await client.GetAsync($"/jobs/{id}/results/stdout");
            Assert.That((stdout.StatusCode, await stdout.Content.ReadAsStringAsync()), Is.EqualTo((HttpStatusCode.OK, "first\n")));
            if (!stdout.Headers.Contains("X-EP-Live-Output"))
            {
                break;
            }
            Assert.That(watch.Elapsed, Is.LessThan(Deadline), "the stored stdout never replaced the live one");
            await Task.Delay(100);
        }
        await AssertNoTailLeftAsync(id);
    }

    [Test]
    public async Task The_last_lines_of_a_job_reach_its_stream_before_its_final_phase()
    {
        using var runner = Owner(Server);
        using var client = Owner(viewer);
        var id = await runner.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"), ("cmd", "echo one; echo two; printf three"));
        await using var stream = await EventStreamClient.OpenAsync(client, $"/jobs/{id}/events");
        using (var run = await runner.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "RUN")))
        {
            Assert.That(run.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        var before = new List<ReceivedEvent>();
        await stream.WaitForAsync(e => e.Name == "phase" && e.Field("phase") == "COMPLETED", Deadline, before);
        Assert.That(before.Where(e => e.Name == "stdout").Select(e => e.Field("line")), Is.EqualTo(new[] { "one", "two", "three" }),
            "an unterminated last line is sent too");
        await AssertNoTailLeftAsync(id);
    }

    async Task AssertNoTailLeftAsync(string id)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (await JobRows.CountOnAsync(Server.ConnectionString, "SELECT count(*) FROM job_output_tails WHERE job_id = $1", id) > 0)
        {
            Assert.That(deadline.Elapsed, Is.LessThan(Deadline), "the live output tail stayed after the job ended");
            await Task.Delay(100);
        }
    }
}
