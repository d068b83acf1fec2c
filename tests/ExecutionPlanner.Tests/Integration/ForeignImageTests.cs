using System.Net;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// Images not built for this service (<see cref="ForeignImages"/>) run to COMPLETED: the job writes two results
/// (one in a subfolder), reads its upload, writes /tmp, and its results, stdout and stderr are downloadable.
/// </summary>
[Category("Docker")]
public sealed class ForeignImageTests : ServerFixture
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    const string Script =
        "set -e; id -u; cat /uws/inputs/in.txt > /uws/results/copy.txt; mkdir -p /uws/results/sub; echo two > /uws/results/sub/two.txt; " +
        "echo scratch > /tmp/scratch; cat /tmp/scratch; pwd; echo to-err >&2";

    protected override async Task<UwsTestServer> StartServerAsync()
    {
        await ExecutionServer.RequireDockerAsync();
        await ForeignImages.BuildAllAsync();
        return await ExecutionServer.StartAsync(new Dictionary<string, string?>
        {
            ["Jobs:AllowedImages:0"] = "executionplanner/*",
            ["Jobs:AllowedImages:1"] = "ep-foreign/*",
        });
    }

    static IEnumerable<TestCaseData> Images()
    {
        yield return new TestCaseData(ForeignImages.NoUws, "65534", "/uws").SetName("An_image_without_uws_or_passwd_runs_as_the_service_user");
        yield return new TestCaseData(ForeignImages.RootOwnedUws, "65534", "/uws").SetName("An_image_with_root_owned_uws_folders_holding_files_runs");
        yield return new TestCaseData(ForeignImages.OddUws, "65534", "/uws").SetName("An_image_with_a_file_and_a_symlink_where_the_folders_should_be_runs");
        yield return new TestCaseData(ForeignImages.User1000, "1000", "/uws").SetName("An_image_with_USER_1000_runs_as_1000");
        yield return new TestCaseData(ForeignImages.NamedUser, "1234", "/uws").SetName("An_image_with_a_named_USER_runs_as_that_user");
        yield return new TestCaseData(ForeignImages.WrappingEntrypoint, "65534", "/opt/tool").SetName("An_image_whose_ENTRYPOINT_wraps_the_command_runs_it_in_its_WORKDIR");
    }

    [TestCaseSource(nameof(Images))]
    public async Task A_foreign_image_completes_with_its_results_its_input_and_its_logs(string image, string uid, string workdir)
    {
        using var client = Server.NewOwner();
        using var form = new MultipartFormDataContent
        {
            { new StringContent(image), "image" },
            { new StringContent("sh"), "cmd" },
            { new StringContent("-c"), "cmd" },
            { new StringContent(Script), "cmd" },
            { new StringContent("RUN"), "PHASE" },
            { new ByteArrayContent("uploaded by the owner\n"u8.ToArray()), "in.txt", "in.txt" },
        };
        using var created = await client.PostAsync("/jobs", form);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await created.Content.ReadAsStringAsync());
        var id = created.Headers.Location!.Segments[^1];

        var job = await client.WaitForEndAsync(id, Deadline);
        var stderr = (await client.GetTextAsync($"/jobs/{id}/results/stderr")).Body;
        Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job + "\nstderr: " + stderr);
        var results = job.Element(Uws + "results")!.Elements(Uws + "result").Select(r => r.Attribute("id")!.Value);
        Assert.That(results, Is.EquivalentTo(new[] { "copy.txt", "sub/two.txt", "stdout", "stderr" }),
            "only what the job wrote: nothing the image shipped in /uws");
        Assert.That(await client.GetTextAsync($"/jobs/{id}/results/copy.txt"), Is.EqualTo((HttpStatusCode.OK, "uploaded by the owner\n")));
        Assert.That(await client.GetTextAsync($"/jobs/{id}/results/sub/two.txt"), Is.EqualTo((HttpStatusCode.OK, "two\n")));
        var stdout = (await client.GetTextAsync($"/jobs/{id}/results/stdout")).Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var expected = new List<string> { uid, "scratch", workdir };
        if (image == ForeignImages.WrappingEntrypoint)
        {
            expected.Insert(0, "wrapped-by-entrypoint");
        }
        Assert.That(stdout, Is.EqualTo(expected));
        Assert.That(stderr, Is.EqualTo("to-err\n"));
    }

    [Test]
    public async Task The_readme_example_runs_in_an_image_without_uws()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("image", ForeignImages.NoUws), ("cmd", "sh"), ("cmd", "-c"),
            ("cmd", "echo hi > /uws/results/a.txt"), ("PHASE", "RUN"));
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString());
        Assert.That(await client.GetTextAsync($"/jobs/{id}/results/a.txt"), Is.EqualTo((HttpStatusCode.OK, "hi\n")));
    }

    [Test]
    public async Task The_job_keeps_its_hardening_in_a_foreign_image()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("image", ForeignImages.User1000), ("cmd", "sh"), ("cmd", "-c"),
            ("cmd", "touch /probe 2>/dev/null && echo rootfs-writable || echo rootfs-read-only; grep CapEff /proc/self/status; " +
                    "grep NoNewPrivs /proc/self/status; ls /sys/class/net; cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max"),
            ("PHASE", "RUN"));
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString());
        var lines = (await client.GetTextAsync($"/jobs/{id}/results/stdout")).Body.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => string.Join(' ', l.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.That(lines, Is.EqualTo(new[] { "rootfs-read-only", "CapEff: 0000000000000000", "NoNewPrivs: 1", "lo", "256" }));
    }
}
