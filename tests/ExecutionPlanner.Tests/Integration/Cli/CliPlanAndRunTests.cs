using System.Net;
using System.Text.Json.Nodes;
using ExecutionPlanner.Tests.Support;

namespace ExecutionPlanner.Tests.Integration.Cli;

/// <summary>
/// `ep plan` and `ep run` against three real servers of ours and a 2021 Note planner (see <see cref="CliFederation"/>).
/// The tests share the servers' capacity (small has one core), so they run one after another.
/// </summary>
[Category("PostgreSQL")]
[Category("Docker")]
[NonParallelizable]
public sealed class CliPlanAndRunTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    CliFederation f = null!;

    [OneTimeSetUp]
    public async Task Start() => f = await CliFederation.StartAsync();

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (f is not null)
        {
            await f.DisposeAsync();
        }
    }

    [Test]
    public async Task Plan_ranks_every_offer_and_shows_each_NO_and_each_failure_with_its_reason()
    {
        var closed = $"http://127.0.0.1:{FreePort()}";
        var result = await Ep.RunAsync(f.Environment, CancellationToken.None,
            ["plan", .. CliFederation.Task(), "--services", f.ServicesFile, "--service", closed, "--service", f.Note.Garbage.AbsoluteUri, "--json"]);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        var doc = JsonNode.Parse(result.Out)!;
        var offers = doc["offers"]!.AsArray();

        // Earliest first: small can start now, the Note service after its 60 s start-up, busy when its 30 minutes are over.
        Assert.That(offers.Select(o => Host(o!["service"])), Is.EqualTo(new[] { Host(f.Small), Host(f.Note), Host(f.Busy) }), result.ToString());
        Assert.That(offers[0]!["cores"]!.GetValue<decimal>(), Is.EqualTo(1m), "small has one core");
        Assert.That(offers[0]!["endpoint"]!.GetValue<string>(), Is.EqualTo(new Uri(f.Small.BaseAddress, "/jobs").AbsoluteUri));
        Assert.That(offers[1]!["dialect"]!.GetValue<string>(), Is.EqualTo("2021 Note"));
        Assert.That(offers[1]!["cores"]!.GetValue<decimal>(), Is.EqualTo(2m));
        Assert.That(offers[1]!["memoryGiB"]!.GetValue<decimal>(), Is.EqualTo(8m));
        Assert.That(offers[1]!["duration"]!.GetValue<string>(), Is.EqualTo("PT10M"));
        var busyStart = DateTimeOffset.Parse(offers[2]!["start"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(busyStart, Is.GreaterThan(TimeProvider.System.GetUtcNow().AddMinutes(25)), "busy is booked for 30 minutes");

        JsonNode Answer(Uri service) => doc["services"]!.AsArray().First(s => s!["service"]!.GetValue<string>().StartsWith(service.AbsoluteUri, StringComparison.Ordinal))!;
        Assert.That(Answer(f.Strict.BaseAddress)["answer"]!.GetValue<string>(), Is.EqualTo("NO"));
        Assert.That(Answer(f.Strict.BaseAddress)["reasons"]![0]!.GetValue<string>(), Does.Contain(CliFederation.Image), "the NO names the refused image");
        Assert.That(Answer(new Uri(closed))["answer"]!.GetValue<string>(), Is.EqualTo("FAILED"));
        Assert.That(Answer(new Uri(closed))["reasons"]![0]!.GetValue<string>(), Does.Contain("connection refused"));
        Assert.That(Answer(f.Note.Garbage)["answer"]!.GetValue<string>(), Is.EqualTo("FAILED"));
        Assert.That(Answer(f.Note.Garbage)["reasons"]![0]!.GetValue<string>(), Does.Contain("not JSON"));

        // The Note planner was asked in its own request form.
        Assert.That(f.Note.Requests.Any(r => r["tasktype"]?.GetValue<string>() == "uri://docker-container" && r["taskinfo"]?["image"]?.GetValue<string>() == CliFederation.Image), Is.True);

        // plan does not keep other people's capacity: every offer it got is rejected on the server.
        var held = offers.Select(o => o!["id"]?.GetValue<string>()).OfType<string>().ToList();
        Assert.That(held, Has.Count.EqualTo(2), "small's and busy's offers (the Note has none to hold)");
        var stored = (await CliFederation.OffersAsync(f.Small, CliFederation.OwnerOf("small"))).Concat(await CliFederation.OffersAsync(f.Busy, CliFederation.OwnerOf("busy")));
        Assert.That(stored.Where(o => held.Contains(o.Id)).Select(o => o.Phase), Is.EqualTo(new[] { "REJECTED", "REJECTED" }));
    }

    [Test]
    public async Task Plan_prints_one_table_and_rank_biggest_puts_the_most_cores_first()
    {
        var result = await Ep.RunAsync(f.Environment, CancellationToken.None, ["plan", .. CliFederation.Task(), "--services", f.ServicesFile, "--rank", "biggest"]);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        var rows = result.Out.Split('\n').Where(l => l.Contains("YES", StringComparison.Ordinal) || l.Contains(" NO ", StringComparison.Ordinal)).ToList();
        Assert.That(rows, Has.Count.EqualTo(4), result.Out);
        Assert.That(rows[0], Does.Contain(Host(f.Note)).And.Contain("2021 Note").And.Contain("8 GiB"), "2 cores and 8 GiB: the Note service first");
        Assert.That(rows[1], Does.Contain(Host(f.Busy)), "then busy's 2 cores with 0.5 GiB");
        Assert.That(rows[2], Does.Contain(Host(f.Small)), "then small's 1 core");
        Assert.That(rows[3], Does.Contain(Host(f.Strict)).And.Contain("NO"));
        Assert.That(result.Out, Does.Contain("trusted.example/*"), "strict's reason, in the table");
    }

    [Test]
    public async Task A_refused_token_is_one_failed_row_with_the_reason_and_is_never_printed()
    {
        const string wrong = "not-a-valid-token-4711";
        var result = await Ep.RunAsync(null, CancellationToken.None, ["plan", .. CliFederation.Task(), "--service", f.Strict.BaseAddress.AbsoluteUri, "--token", wrong]);
        Assert.That(result.ExitCode, Is.EqualTo(4), result.ToString());
        Assert.That(result.Out, Does.Contain("FAILED").And.Contain("401").And.Contain("token"));
        Assert.That(result.Out + result.Error, Does.Not.Contain(wrong));
        Assert.That(result.Out + result.Error, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public async Task Run_picks_the_earliest_offer_follows_the_job_and_brings_back_its_results()
    {
        var output = Path.Combine(f.Folder, "run-earliest");
        var result = await Ep.RunAsync(f.Environment, CancellationToken.None,
            ["run", .. CliFederation.Task(), "--services", f.ServicesFile, "--pick", "earliest", "--output", output, "--json"]);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        var doc = JsonNode.Parse(result.Out)!;
        Assert.That(Host(doc["offer"]!["service"]), Is.EqualTo(Host(f.Small)));
        Assert.That(doc["job"]!["phase"]!.GetValue<string>(), Is.EqualTo("COMPLETED"));
        Assert.That(doc["job"]!["url"]!.GetValue<string>(), Does.StartWith(new Uri(f.Small.BaseAddress, "/jobs/").AbsoluteUri));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(output, "out.txt")), Is.EqualTo("planned\n"));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(output, "stdout")), Is.EqualTo("hello from the job\n"));

        // The offer taken is ACCEPTED; busy's, held meanwhile, was rejected rather than left to expire.
        Assert.That((await CliFederation.OffersAsync(f.Small, CliFederation.OwnerOf("small"))).Select(o => o.Phase), Does.Contain("ACCEPTED"));
        Assert.That((await CliFederation.OffersAsync(f.Busy, CliFederation.OwnerOf("busy"))).Select(o => o.Phase), Is.Not.Empty.And.All.EqualTo("REJECTED"));
    }

    [Test]
    public async Task Run_shows_the_phases_and_the_output_and_a_failed_job_exits_1_with_its_error()
    {
        var output = Path.Combine(f.Folder, "run-error");
        var result = await Ep.RunAsync(f.Environment, CancellationToken.None,
            ["run", .. CliFederation.Task("echo about to fail; echo broken >&2; exit 3"), "--service", f.Small.BaseAddress.AbsoluteUri, "--output", output]);
        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Out, Does.Contain("EXECUTING").Or.Contain("QUEUED"), "phases as they come");
        Assert.That(result.Out, Does.Contain("ERROR").And.Contain("about to fail").And.Contain("broken"));
    }

    [Test]
    public async Task Run_on_a_2021_Note_answer_submits_the_job_to_its_endpoint()
    {
        var output = Path.Combine(f.Folder, "run-note");
        var result = await Ep.RunAsync(f.Environment, CancellationToken.None,
            ["run", .. CliFederation.Task(), "--service", "note:" + f.Note.Accepts.AbsoluteUri, "--output", output, "--json"]);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        var job = JsonNode.Parse(result.Out)!["job"]!;
        Assert.That(job["url"]!.GetValue<string>(), Does.StartWith(new Uri(f.Small.BaseAddress, "/jobs/").AbsoluteUri));
        Assert.That(job["parameters"]!.AsArray().Select(p => $"{p!["id"]}={p["value"]}"), Does.Contain("cores=2"), "the resources the Note answer offered");
        Assert.That(await File.ReadAllTextAsync(Path.Combine(output, "out.txt")), Is.EqualTo("planned\n"));
    }

    [Test]
    public async Task A_Calycopis_planner_is_followed_through_its_303_read_by_content_and_its_session_rejected_with_an_update_message()
    {
        var result = await Ep.RunAsync(null, CancellationToken.None, ["plan", .. CliFederation.Task(), "--service", f.Note.CalycopisRequests.AbsoluteUri, "--json"]);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        var offer = JsonNode.Parse(result.Out)!["offers"]![0]!;
        Assert.That(offer["dialect"]!.GetValue<string>(), Is.EqualTo("Calycopis"));
        Assert.That((offer["cores"]!.GetValue<decimal>(), offer["memoryGiB"]!.GetValue<decimal>(), offer["duration"]!.GetValue<string>()), Is.EqualTo((3m, 6m, "PT1H")));
        Assert.That(offer["href"]!.GetValue<string>(), Is.EqualTo(new Uri(f.Note.BaseAddress, "/sessions/sess-1").AbsoluteUri));
        Assert.That(f.Note.Requests.Any(r => r["executable"]?["image"]?.GetValue<string>() == CliFederation.Image), Is.True, "the ExecutionBroker request form");
        Assert.That(f.Note.SessionUpdates.Select(u => u.ToJsonString()), Does.Contain("""{"kind":"uri:enum-value-update","path":"phase","value":"REJECTED"}"""));
    }

    [Test]
    public async Task A_token_goes_to_the_job_own_origin_and_never_to_a_result_stored_on_another_host()
    {
        var output = Path.Combine(f.Folder, "origins");
        var result = await Ep.RunAsync(null, CancellationToken.None, "results", f.Note.UwsJob.AbsoluteUri, "--output", output, "--token", "token-for-the-job-service");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(await File.ReadAllTextAsync(Path.Combine(output, "here.txt")), Is.EqualTo("here\n"));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(output, "elsewhere.txt")), Is.EqualTo("elsewhere\n"));
        Assert.That(f.Note.ResultAuthorization["here"], Is.True, "the job's own service gets the token");
        Assert.That(f.Note.ResultAuthorization["elsewhere"], Is.False, "another host named by the service does not");
    }

    [Test]
    public async Task Ctrl_C_while_planning_rejects_every_offer_already_held()
    {
        var owner = CliFederation.OwnerOf("small", "cancel");
        using var ctrlC = new CancellationTokenSource();
        var run = Ep.RunAsync(null, ctrlC.Token,
            ["run", .. CliFederation.Task(), "--service", f.Small.BaseAddress.AbsoluteUri, "--service", f.Note.Slow.AbsoluteUri,
             "--timeout", "60s", "--token", CliFederation.TokenOf("small", "cancel")]);
        await f.Note.SlowAsked.WaitAsync(Deadline);
        var deadline = TimeProvider.System.GetUtcNow() + Deadline;
        while ((await CliFederation.OffersAsync(f.Small, owner)).Count == 0)
        {
            Assert.That(TimeProvider.System.GetUtcNow(), Is.LessThan(deadline), "small's offer never came");
            await Task.Delay(20);
        }
        Assert.That(run.IsCompleted, Is.False, "still waiting for the slow planner");
        await ctrlC.CancelAsync();
        var result = await run.WaitAsync(Deadline);
        Assert.That(result.ExitCode, Is.EqualTo(130), result.ToString());
        Assert.That(result.Error, Does.Contain("rejected"));
        Assert.That((await CliFederation.OffersAsync(f.Small, owner)).Select(o => o.Phase), Is.All.EqualTo("REJECTED"));
    }

    static string Host(JsonNode? url) => Host(new Uri(url!.GetValue<string>()));

    static string Host(UwsTestServer server) => Host(server.BaseAddress);

    static string Host(NoteStandIn note) => Host(note.BaseAddress);

    static string Host(Uri url) => $"{url.Host}:{url.Port}";

    static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
