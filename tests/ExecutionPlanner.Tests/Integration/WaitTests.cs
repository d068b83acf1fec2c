using System.Diagnostics;
using System.Net;
using System.Xml.Linq;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Waiting;
using ExecutionPlanner.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>Blocking GET /jobs/{id}?WAIT=n (UWS §2.2.1.2, checklist G). Timings use generous bounds.</summary>
public sealed class WaitTests : ServerFixture
{
    static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(20);

    static async Task<(TimeSpan Elapsed, XElement Job)> TimedGetJobAsync(HttpClient client, string path)
    {
        var stopwatch = Stopwatch.StartNew();
        var job = (await client.GetUwsXmlAsync(path)).Root!;
        return (stopwatch.Elapsed, job);
    }

    /// <summary>Asserts that a waiting request is still blocked half a second after it was sent.</summary>
    static async Task AssertStillWaitingAsync(Task request)
    {
        var first = await Task.WhenAny(request, Task.Delay(TimeSpan.FromMilliseconds(500)));
        Assert.That(first, Is.Not.SameAs(request), "The WAIT request returned before anything changed.");
    }

    [Test]
    public async Task WAIT_2_on_a_pending_job_takes_2_seconds()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        var (elapsed, job) = await TimedGetJobAsync(client, $"/jobs/{id}?WAIT=2");
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(2) - Tolerance).And.LessThan(TimeSpan.FromSeconds(4)));
        Assert.That(PhaseOf(job), Is.EqualTo("PENDING"));
    }

    [Test]
    public async Task A_wake_up_without_a_phase_change_does_not_end_the_wait_early()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        var hub = Server.Services.GetRequiredService<JobChangeHub>();
        var stopwatch = Stopwatch.StartNew();
        var request = client.GetUwsXmlAsync($"/jobs/{id}?WAIT=2");
        // What the listener does when it reconnects: every waiter re-reads its job.
        while (!request.IsCompleted && stopwatch.Elapsed < TimeSpan.FromSeconds(10))
        {
            hub.WakeAll();
            await Task.WhenAny(request, Task.Delay(TimeSpan.FromMilliseconds(100)));
        }
        var job = (await request).Root!;
        Assert.That(stopwatch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(2) - Tolerance).And.LessThan(TimeSpan.FromSeconds(4)));
        Assert.That(PhaseOf(job), Is.EqualTo("PENDING"));
    }

    [TestCase("QUEUED")]
    [TestCase("queued")]
    [TestCase("COMPLETED")]
    public async Task WAIT_with_a_PHASE_that_does_not_match_returns_at_once(string phase)
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        var (elapsed, job) = await TimedGetJobAsync(client, $"/jobs/{id}?WAIT=10&PHASE={phase}");
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
        Assert.That(PhaseOf(job), Is.EqualTo("PENDING"));
    }

    [TestCase("ABORTED")]
    [TestCase("COMPLETED")]
    [TestCase("ERROR")]
    public async Task WAIT_on_a_terminal_job_returns_at_once(string phase)
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        await JobRows.SetPhaseAsync(id, phase);
        var (elapsed, job) = await TimedGetJobAsync(client, $"/jobs/{id}?WAIT=10");
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
        Assert.That(PhaseOf(job), Is.EqualTo(phase));
    }

    [Test]
    public async Task A_waiting_GET_returns_within_a_second_of_another_clients_RUN_with_the_new_phase()
    {
        using var waiter = Server.NewOwner(out var owner);
        var id = await waiter.CreateJobAsync();
        var request = waiter.GetUwsXmlAsync($"/jobs/{id}?WAIT=20&PHASE=PENDING");
        await AssertStillWaitingAsync(request);
        using var other = Server.Anonymous();
        other.DefaultRequestHeaders.Authorization = waiter.DefaultRequestHeaders.Authorization;
        var stopwatch = Stopwatch.StartNew();
        using (var run = await other.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "RUN")))
        {
            Assert.That(run.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        var job = (await request).Root!;
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
        Assert.That(PhaseOf(job), Is.EqualTo("QUEUED"));
        Assert.That(job.Element(Uws + "ownerId")!.Value, Is.EqualTo(owner));
    }

    [Test]
    public async Task Every_waiter_on_one_job_gets_the_new_phase_from_one_change()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        var requests = Enumerable.Range(0, 5).Select(_ => client.GetUwsXmlAsync($"/jobs/{id}?WAIT=20")).ToList();
        foreach (var request in requests)
        {
            await AssertStillWaitingAsync(request);
        }
        using (var run = await client.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "RUN")))
        {
            Assert.That(run.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        var phases = (await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(5))).Select(d => PhaseOf(d.Root!));
        Assert.That(phases, Is.All.EqualTo("QUEUED"));
    }

    [Test]
    public async Task A_change_made_through_another_host_wakes_a_waiter_on_this_one()
    {
        await using var second = await UwsTestServer.StartAsync();
        // The anonymous owner is the same on both hosts, which share the database.
        using var here = Server.Anonymous();
        using var there = second.Anonymous();
        // Created and read through the new host first, so its first-request warm-up is not timed below.
        var id = await there.CreateJobAsync();
        Assert.That(await there.PhaseAsync(id), Is.EqualTo("PENDING"));
        var request = here.GetUwsXmlAsync($"/jobs/{id}?WAIT=20");
        await AssertStillWaitingAsync(request);
        var stopwatch = Stopwatch.StartNew();
        using (var abort = await there.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "ABORT")))
        {
            Assert.That(abort.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        var job = (await request).Root!;
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
        Assert.That(PhaseOf(job), Is.EqualTo("ABORTED"));
    }

    [Test]
    public async Task WAIT_minus_1_and_waits_above_the_maximum_are_capped_by_MaxWait()
    {
        await using var capped = await UwsTestServer.StartAsync(new Dictionary<string, string?> { ["Jobs:MaxWait"] = "2" });
        using var client = capped.NewOwner();
        var id = await client.CreateJobAsync();
        foreach (var wait in new[] { "-1", "3600" })
        {
            var (elapsed, job) = await TimedGetJobAsync(client, $"/jobs/{id}?WAIT={wait}");
            Assert.That(elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(2) - Tolerance).And.LessThan(TimeSpan.FromSeconds(4)), wait);
            Assert.That(PhaseOf(job), Is.EqualTo("PENDING"));
        }
    }

    [TestCase("abc")]
    [TestCase("-2")]
    [TestCase("1.5")]
    [TestCase("")]
    public async Task An_invalid_WAIT_gets_400_at_once(string wait)
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        var stopwatch = Stopwatch.StartNew();
        var (status, body) = await client.GetTextAsync($"/jobs/{id}?WAIT={wait}");
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body, Does.Contain("WAIT"));
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task A_job_deleted_while_waited_on_gives_404_at_once()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        var request = client.GetAsync($"/jobs/{id}?WAIT=20");
        await AssertStillWaitingAsync(request);
        var stopwatch = Stopwatch.StartNew();
        (await client.DeleteAsync($"/jobs/{id}")).Dispose();
        using var response = await request;
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(id));
    }
}
