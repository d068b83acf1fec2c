using System.Globalization;
using System.Net;
using System.Xml.Linq;
using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Execution;
using ExecutionPlanner.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>Jobs run as real containers on the real engine, end to end through UWS.</summary>
[Category("Docker")]
public sealed class ExecutionTests : ServerFixture
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    protected override async Task<UwsTestServer> StartServerAsync()
    {
        await ExecutionServer.RequireDockerAsync();
        return await ExecutionServer.StartAsync();
    }

    [Test]
    public async Task A_job_writing_two_files_completes_with_both_files_and_its_logs_downloadable()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"),
            ("cmd", "echo to-out; echo to-err >&2; echo one > /uws/results/one.txt; mkdir /uws/results/d; printf 'a,b' > /uws/results/d/two.csv"),
            ("PHASE", "RUN"));
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString());
        var results = job.Element(Uws + "results")!.Elements(Uws + "result").ToDictionary(r => r.Attribute("id")!.Value);
        Assert.That(results.Keys, Is.EquivalentTo(new[] { "one.txt", "d/two.csv", "stdout", "stderr" }));
        Assert.That(await client.GetTextAsync(new Uri(results["one.txt"].Attribute(Xlink + "href")!.Value).PathAndQuery), Is.EqualTo((HttpStatusCode.OK, "one\n")));
        Assert.That(await client.GetTextAsync(new Uri(results["d/two.csv"].Attribute(Xlink + "href")!.Value).PathAndQuery), Is.EqualTo((HttpStatusCode.OK, "a,b")));
        Assert.That(await client.GetTextAsync($"/jobs/{id}/results/stdout"), Is.EqualTo((HttpStatusCode.OK, "to-out\n")));
        Assert.That(await client.GetTextAsync($"/jobs/{id}/results/stderr"), Is.EqualTo((HttpStatusCode.OK, "to-err\n")));
        Assert.That(results["d/two.csv"].Attribute("size")!.Value, Is.EqualTo("3"));
        Assert.That(job.Element(Uws + "startTime")!.Value, Is.Not.Empty);
        Assert.That(job.Element(Uws + "endTime")!.Value, Is.Not.Empty);
        await AssertNoContainerLeftAsync(id);
    }

    [Test]
    public async Task Results_are_collected_after_jobs_of_the_same_image_that_wrote_nothing()
    {
        using var client = Server.NewOwner();
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var quiet = await client.WaitForEndAsync(await client.CreateJobAsync(("cmd", "true"), ("PHASE", "RUN")), Deadline);
            Assert.That(ResultIds(quiet), Is.EquivalentTo(new[] { "stdout", "stderr" }));
        }

        var flat = await client.WaitForEndAsync(await client.CreateJobAsync(
            ("cmd", "sh"), ("cmd", "-c"), ("cmd", "echo late > /uws/results/late.txt"), ("PHASE", "RUN")), Deadline);
        var nestedId = await client.CreateJobAsync(
            ("cmd", "sh"), ("cmd", "-c"), ("cmd", "mkdir -p /uws/results/a/b && echo deep > /uws/results/a/b/deep.txt"), ("PHASE", "RUN"));
        var nested = await client.WaitForEndAsync(nestedId, Deadline);

        Assert.That(ResultIds(flat), Is.EquivalentTo(new[] { "late.txt", "stdout", "stderr" }));
        Assert.That(ResultIds(nested), Is.EquivalentTo(new[] { "a/b/deep.txt", "stdout", "stderr" }));
        Assert.That(await client.GetTextAsync($"/jobs/{nestedId}/results/a/b/deep.txt"), Is.EqualTo((HttpStatusCode.OK, "deep\n")));
    }

    static IEnumerable<string> ResultIds(XElement job) =>
        job.Element(Uws + "results")!.Elements(Uws + "result").Select(r => r.Attribute("id")!.Value);

    [Test]
    public async Task A_failing_command_ends_in_error_with_its_exit_code_and_the_tail_of_stderr()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"), ("cmd", "echo first >&2; echo last words >&2; exit 3"), ("PHASE", "RUN"));
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("ERROR"));
        var summary = job.Element(Uws + "errorSummary")!;
        Assert.That(summary.Element(Uws + "message")!.Value, Does.Contain("Exit code 3").And.Contain("last words"));
        Assert.That(summary.Attribute("hasDetail")!.Value, Is.EqualTo("true"));
        Assert.That(await client.GetTextAsync($"/jobs/{id}/error"), Is.EqualTo((HttpStatusCode.OK, "first\nlast words\n")));
    }

    [Test]
    public async Task A_job_over_its_execution_duration_is_aborted_within_two_seconds_of_the_limit()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"), ("cmd", "echo started > /uws/results/partial.txt; sleep 60"),
            ("EXECUTIONDURATION", "2"), ("PHASE", "RUN"));
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("ABORTED"));
        Assert.That(job.Element(Uws + "errorSummary")!.Value, Does.Contain("executionDuration of 2 s exceeded"));
        var ran = Instant(job, "endTime") - Instant(job, "startTime");
        Assert.That(ran, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(2)).And.LessThan(TimeSpan.FromSeconds(4)));
        Assert.That(await client.GetTextAsync($"/jobs/{id}/results/partial.txt"), Is.EqualTo((HttpStatusCode.OK, "started\n")),
            "results written before the limit are kept");
    }

    [Test]
    public async Task Abort_of_a_running_job_stops_its_container_within_two_seconds()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"), ("cmd", "echo running; sleep 60"), ("PHASE", "RUN"));
        await client.WaitWhileAsync(id, Deadline, "QUEUED");
        await WaitUntilAsync(() => ContainerRunningAsync(id), TimeSpan.FromSeconds(10));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using (var abort = await client.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "ABORT")))
        {
            Assert.That(abort.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        await WaitUntilAsync(async () => !await ContainerRunningAsync(id), TimeSpan.FromSeconds(2));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
        Assert.That(await client.PhaseAsync(id), Is.EqualTo("ABORTED"));
        // An aborted job keeps what it produced (UWS §2.1.3): its output so far is collected.
        await WaitUntilAsync(async () => (await client.GetTextAsync($"/jobs/{id}/results/stdout")).Body == "running\n", TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task A_container_exceeding_its_memory_limit_ends_in_error_saying_so()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"), ("cmd", "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo ${#x}"),
            ("memory", "16Mi"), ("PHASE", "RUN"));
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("ERROR"));
        // Confirmed by the engine or not (a dropped OOM event, see OutcomeCollector.ExitSummary), it names memory.
        Assert.That(job.Element(Uws + "errorSummary")!.Value, Does.Contain("ran out of memory"));
    }

    [Test]
    public async Task Uploaded_files_are_in_uws_inputs_and_arguments_reach_the_container_without_a_shell()
    {
        using var client = Server.NewOwner();
        using var form = new MultipartFormDataContent
        {
            { new StringContent(Image), "image" },
            { new StringContent("cat"), "cmd" },
            { new StringContent("/uws/inputs/data.txt"), "cmd" },
            { new StringContent("$HOME;not-a-shell"), "cmd" },
            { new StringContent("RUN"), "PHASE" },
            { new ByteArrayContent("uploaded\n"u8.ToArray()), "data.txt", "data.txt" },
        };
        using var created = await client.PostAsync("/jobs", form);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        var id = created.Headers.Location!.Segments[^1];
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("ERROR"), "cat fails on the literal second argument");
        Assert.That((await client.GetTextAsync($"/jobs/{id}/results/stdout")).Body, Is.EqualTo("uploaded\n"));
        Assert.That((await client.GetTextAsync($"/jobs/{id}/results/stderr")).Body, Does.Contain("$HOME;not-a-shell"));
    }

    [Test]
    public async Task The_container_runs_as_a_non_root_user_without_network_on_a_read_only_root()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"),
            ("cmd", "id -u; touch /probe 2>/dev/null && echo rootfs-writable || echo rootfs-read-only; touch /tmp/x && echo tmp-writable; ls /sys/class/net"),
            ("PHASE", "RUN"));
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString());
        var lines = (await client.GetTextAsync($"/jobs/{id}/results/stdout")).Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Is.EqualTo(new[] { "65534", "rootfs-read-only", "tmp-writable", "lo" }));
    }

    [Test]
    public async Task Delete_of_a_running_job_stops_and_removes_its_container()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "sleep"), ("cmd", "60"), ("PHASE", "RUN"));
        await client.WaitWhileAsync(id, Deadline, "QUEUED");
        await WaitUntilAsync(() => ContainerRunningAsync(id), TimeSpan.FromSeconds(10));
        using (var delete = await client.DeleteAsync($"/jobs/{id}"))
        {
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        await WaitUntilAsync(async () => (await ContainersOfAsync(id)).Count == 0, TimeSpan.FromSeconds(5));
        Assert.That((await client.GetTextAsync($"/jobs/{id}")).Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Readiness_reports_postgresql_and_the_docker_engine_with_its_api_version()
    {
        using var client = Server.Anonymous();
        var (status, body) = await client.GetTextAsync("/health/ready");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        using var report = System.Text.Json.JsonDocument.Parse(body);
        var checks = report.RootElement.GetProperty("checks");
        Assert.That(checks.GetProperty("postgresql").GetProperty("status").GetString(), Is.EqualTo("Healthy"));
        Assert.That(checks.GetProperty("docker").GetProperty("data").GetProperty("apiVersion").GetString(), Does.Match(@"^1\.\d+$"));
    }

    static DateTimeOffset Instant(XElement job, string name) =>
        DateTimeOffset.Parse(job.Element(Uws + name)!.Value, CultureInfo.InvariantCulture);

    static async Task<IReadOnlyList<ContainerSummary>> ContainersOfAsync(string jobId)
    {
        using var docker = new DockerEngineClient(ExecutionPlanner.Tests.Docker.DockerTestEngine.Options());
        return await docker.ListContainersAsync([$"{ContainerLabels.Job}={jobId}"], CancellationToken.None);
    }

    static async Task<bool> ContainerRunningAsync(string jobId) =>
        (await ContainersOfAsync(jobId)).Any(c => c.State == "running");

    static async Task AssertNoContainerLeftAsync(string jobId) =>
        await WaitUntilAsync(async () => (await ContainersOfAsync(jobId)).Count == 0, TimeSpan.FromSeconds(5));

    /// <summary>Polls a condition until it holds; fails at the deadline (no fixed sleeps).</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan deadline)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.That(watch.Elapsed, Is.LessThan(deadline), "The condition did not hold in time.");
            await Task.Delay(50);
        }
    }
}
