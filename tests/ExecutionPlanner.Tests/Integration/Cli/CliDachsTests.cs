using System.Text.Json.Nodes;
using ExecutionPlanner.Tests.Support;

namespace ExecutionPlanner.Tests.Integration.Cli;

/// <summary>
/// `ep` against a UWS 1.1 service that is not ours: GAVO DaCHS (Debian's gavodachs2-server), whose TAP
/// service runs asynchronous queries as UWS jobs at /tap/async. deploy/run-tests.sh installs and starts it on
/// 127.0.0.1:18080 (EP_TEST_DACHS names another).
/// </summary>
[Category("DaCHS")]
[Parallelizable(ParallelScope.Children)]
public sealed class CliDachsTests
{
    Uri jobList = null!;

    [OneTimeSetUp]
    public async Task Find()
    {
        var root = new Uri(Environment.GetEnvironmentVariable("EP_TEST_DACHS") ?? "http://127.0.0.1:18080/");
        jobList = new Uri(root, "tap/async");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var response = await http.GetAsync(jobList);
            if (!response.IsSuccessStatusCode)
            {
                RequiredServices.Missing($"GAVO DaCHS at {jobList} (answered {(int)response.StatusCode})");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            RequiredServices.Missing($"GAVO DaCHS at {jobList} ({ex.Message})");
        }
    }

    /// <summary>A TAP query as UWS job parameters; --run must work although DaCHS ignores PHASE=RUN on the creating POST.</summary>
    async Task<string> SubmitQueryAsync(string runId)
    {
        var submitted = await Ep.RunAsync(null, CancellationToken.None, "submit", jobList.AbsoluteUri,
            "-p", "REQUEST=doQuery", "-p", "LANG=ADQL", "-p", "QUERY=SELECT TOP 3 table_name FROM tap_schema.tables", "-p", $"RUNID={runId}", "--run", "--json");
        Assert.That(submitted.ExitCode, Is.EqualTo(0), submitted.ToString());
        return JsonNode.Parse(submitted.Out)!["url"]!.GetValue<string>();
    }

    [Test]
    public async Task Watch_follows_a_DaCHS_job_to_COMPLETED_and_results_downloads_its_VOTable()
    {
        var job = await SubmitQueryAsync("ep-watch");
        var watched = await Ep.RunAsync(null, CancellationToken.None, "watch", job, "--timeout", "60s");
        Assert.That(watched.ExitCode, Is.EqualTo(0), watched.ToString());
        Assert.That(watched.Out, Does.Contain("COMPLETED"));

        var output = Directory.CreateTempSubdirectory("ep-dachs-").FullName;
        try
        {
            var results = await Ep.RunAsync(null, CancellationToken.None, "results", job, "--output", output);
            Assert.That(results.ExitCode, Is.EqualTo(0), results.ToString());
            Assert.That(await File.ReadAllTextAsync(Path.Combine(output, "result")), Does.Contain("VOTABLE").And.Contain("tap_schema"));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
            await Ep.RunAsync("delete", job);
        }
    }

    [Test]
    public async Task Jobs_lists_DaCHS_jobs_with_the_PHASE_AFTER_and_LAST_filters()
    {
        var before = TimeProvider.System.GetUtcNow().AddSeconds(-2);
        var job = await SubmitQueryAsync("ep-jobs");
        var watched = await Ep.RunAsync(null, CancellationToken.None, "watch", job, "--timeout", "60s");
        Assert.That(watched.ExitCode, Is.EqualTo(0), watched.ToString());
        try
        {
            var listed = await Ep.RunAsync(null, CancellationToken.None, "jobs", jobList.AbsoluteUri, "--phase", "COMPLETED", "--after", before.ToString("o"), "--last", "50", "--json");
            Assert.That(listed.ExitCode, Is.EqualTo(0), listed.ToString());
            var hrefs = JsonNode.Parse(listed.Out)!["jobs"]!.AsArray().Select(j => j!["href"]!.GetValue<string>()).ToList();
            Assert.That(hrefs, Does.Contain(job));

            var pending = await Ep.RunAsync(null, CancellationToken.None, "jobs", jobList.AbsoluteUri, "--phase", "PENDING", "--json");
            Assert.That(JsonNode.Parse(pending.Out)!["jobs"]!.AsArray().Select(j => j!["href"]!.GetValue<string>()), Does.Not.Contain(job));

            var table = await Ep.RunAsync(null, CancellationToken.None, "jobs", jobList.AbsoluteUri, "--last", "50");
            Assert.That(table.Out, Does.Contain(new Uri(job).Segments[^1]).And.Contain("COMPLETED"));
        }
        finally
        {
            await Ep.RunAsync("delete", job);
        }
    }
}
