using System.Net;
using System.Xml.Linq;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// Nothing a container prints or leaves can break its job: escape codes, odd file names, links, logs past their
/// limit, and a job filling /uws end in a truthful phase with valid documents and messages saying what happened.
/// The server's limits are small here so that the tests stay fast.
/// </summary>
[Category("Docker")]
public sealed class HostileJobTests : ServerFixture
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    static readonly XNamespace Ep = UwsXml.JobInfoNs;

    protected override async Task<UwsTestServer> StartServerAsync()
    {
        await ExecutionServer.RequireDockerAsync();
        return await ExecutionServer.StartAsync(new Dictionary<string, string?>
        {
            ["Execution:MaxResultBytes"] = "1048576",
            ["Execution:MaxLogBytes"] = "4096",
            ["Execution:ResultsCheckInterval"] = "00:00:00.200",
            ["Jobs:AllowedImages:1"] = "ep-foreign/*",
            ["Execution:ImageOverrides:0:Image"] = ForeignImages.User1000,
            ["Execution:ImageOverrides:0:User"] = "4321:4321",
        });
    }

    [Test]
    public async Task A_failing_command_that_prints_colour_codes_ends_in_error_with_a_valid_document()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"),
            ("cmd", "printf '\\033[1;31merror:\\033[0m bad input\\000 here\\n' >&2; exit 3"), ("PHASE", "RUN"));
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("ERROR"));
        var summary = job.Element(Uws + "errorSummary")!.Value;
        Assert.That(summary, Does.Contain("Exit code 3").And.Contain("error: bad input"));
        Assert.That(summary, Does.Not.Contain("\u001b"));
        var (status, error) = await client.GetTextAsync($"/jobs/{id}/error");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(error, Does.StartWith("error: bad input"));
        Assert.That((await client.GetUwsXmlAsync("/jobs")).Root!.Elements(Uws + "jobref").Select(j => j.Attribute("id")!.Value), Does.Contain(id),
            "the job list still validates and lists it");
    }

    [TestCase("exit 4", "Exit code 4. stderr was empty.")]
    [TestCase("x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo ${#x}", "ran out of memory")]
    public async Task Error_is_never_empty_for_a_job_in_error(string script, string expected)
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"), ("cmd", script), ("memory", "16Mi"), ("PHASE", "RUN"));
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("ERROR"));
        var (status, error) = await client.GetTextAsync($"/jobs/{id}/error");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(error, Does.Contain(expected));
    }

    [Test]
    public async Task Exit_code_137_without_an_OOM_kill_from_the_engine_is_named_as_likely_out_of_memory_and_unconfirmed()
    {
        // A child's SIGKILL (PID 1 ignores its own) passed on as exit code 137, with no OOM kill the engine knows of:
        // what a dropped OOM event looks like to the server.
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"), ("cmd", "sh -c 'kill -9 $$'; exit $?"), ("PHASE", "RUN"));
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("ERROR"));
        Assert.That(job.Element(Uws + "errorSummary")!.Value, Does.StartWith(
            "Exit code 137: the container was killed (SIGKILL), most likely because it ran out of memory, though the engine did not report"));
    }

    [Test]
    public async Task Odd_result_names_are_served_under_safe_unique_names_and_links_are_skipped_with_messages()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"), ("cmd",
                "cd /uws/results; echo back > 'a\\b.txt'; printf ctl > \"$(printf 'ctl\\001x')\"; printf bad > \"$(printf 'bad\\377')\"; " +
                "echo mine > stdout; mkdir results; echo deeper > results/stdout; echo pct > '100%.txt'; " +
                "echo orig > orig.txt; ln orig.txt hard.txt; ln -s /etc/passwd link.txt; echo out-of-the-log"),
            ("PHASE", "RUN"));
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString());
        var results = job.Element(Uws + "results")!.Elements(Uws + "result")
            .ToDictionary(r => r.Attribute("id")!.Value, r => new Uri(r.Attribute(Xlink + "href")!.Value).PathAndQuery);
        // The engine's archive order decides which of two clashing files keeps the plain name, and which name of a
        // hard-linked pair is the file (the other is the link): check what each name serves, not the order.
        Assert.That(results.Keys.Order(), Is.EquivalentTo(new[]
        {
            "a%5Cb.txt", "ctl%01x", "bad\uFFFD", "results/stdout", "results/stdout~2", "100%25.txt", results.Keys.Single(k => k is "orig.txt" or "hard.txt"),
            "stdout", "stderr",
        }));
        var expected = new Dictionary<string, string>
        {
            ["a%5Cb.txt"] = "back\n", ["ctl%01x"] = "ctl", ["bad\uFFFD"] = "bad", ["100%25.txt"] = "pct\n", ["stdout"] = "out-of-the-log\n",
            [results.Keys.Single(k => k is "orig.txt" or "hard.txt")] = "orig\n",
        };
        foreach (var (name, content) in expected)
        {
            Assert.That(await client.GetTextAsync(results[name]), Is.EqualTo((HttpStatusCode.OK, content)), name);
        }
        var clashing = new[] { (await client.GetTextAsync(results["results/stdout"])).Body, (await client.GetTextAsync(results["results/stdout~2"])).Body };
        Assert.That(clashing, Is.EquivalentTo(new[] { "mine\n", "deeper\n" }));
        var messages = Messages(job);
        Assert.That(messages, Has.Some.Contains("'a\\b.txt' is served as 'a%5Cb.txt'"));
        Assert.That(messages, Has.Some.Contains("served as 'results/stdout~2': that name was taken"));
        Assert.That(messages, Has.Some.Match("'(orig|hard).txt' was skipped: it is a hard link"));
        Assert.That(messages, Has.Some.Contains("'link.txt' was skipped: it is a symbolic link"));
    }

    [Test]
    public async Task Stdout_past_its_limit_is_cut_and_a_message_says_so()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"), ("cmd", "head -c 10000 /dev/zero | tr '\\0' x"), ("PHASE", "RUN"));
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString());
        Assert.That((await client.GetTextAsync($"/jobs/{id}/results/stdout")).Body, Has.Length.EqualTo(4096));
        Assert.That(Messages(job), Has.Some.Contains("stdout was cut after 4Ki: 5904 more bytes were not kept"));
    }

    [Test]
    public async Task A_job_filling_uws_is_killed_while_it_runs_and_ends_in_error_saying_so()
    {
        using var client = Server.NewOwner();
        // Files of 512 KiB each stay under the per-file limit (RLIMIT_FSIZE, 1 MiB here): only the total is over.
        var id = await client.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"),
            ("cmd", "for i in 1 2 3 4 5 6 7 8; do dd if=/dev/zero of=/uws/results/f$i bs=1024 count=512 2>/dev/null; done; sleep 60"),
            ("PHASE", "RUN"));
        var job = await client.WaitForEndAsync(id, TimeSpan.FromSeconds(30));
        Assert.That(PhaseOf(job), Is.EqualTo("ERROR"), job.ToString());
        Assert.That(job.Element(Uws + "errorSummary")!.Value, Does.Contain("wrote more than this service's limit of 1Mi into /uws"));
        Assert.That(ResultIds(job), Is.EquivalentTo(new[] { "stdout", "stderr" }));
        Assert.That(Messages(job), Has.Some.Contains("so the container was killed"));
    }

    [Test]
    public async Task A_single_file_past_the_limit_cannot_be_written()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"),
            ("cmd", "dd if=/dev/zero of=/uws/results/big bs=1024 count=2048 2>/dev/null || echo refused"), ("PHASE", "RUN"));
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That((await client.GetTextAsync($"/jobs/{id}/results/stdout")).Body, Is.EqualTo("refused\n"));
        Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString());
        Assert.That(job.Element(Uws + "results")!.Elements(Uws + "result").Single(r => r.Attribute("id")!.Value == "big").Attribute("size")!.Value,
            Is.EqualTo("1048576"), "the write stopped at the limit");
    }

    [Test]
    public async Task An_image_override_is_applied_and_said_in_a_message()
    {
        await ForeignImages.BuildAllAsync();
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("image", ForeignImages.User1000), ("cmd", "sh"), ("cmd", "-c"),
            ("cmd", "id -u; echo ok > /uws/results/ok.txt"), ("PHASE", "RUN"));
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString());
        Assert.That((await client.GetTextAsync($"/jobs/{id}/results/stdout")).Body, Is.EqualTo("4321\n"));
        Assert.That(Messages(job), Is.EqualTo(new[]
        {
            $"The operator's settings for images matching '{ForeignImages.User1000}' were applied: runs as user 4321:4321.",
        }));
    }

    static IEnumerable<string> ResultIds(XElement job) =>
        job.Element(Uws + "results")!.Elements(Uws + "result").Select(r => r.Attribute("id")!.Value);

    static List<string> Messages(XElement job) =>
        job.Element(Uws + "jobInfo")?.Elements(Ep + "message").Select(m => m.Value).ToList() ?? [];
}
