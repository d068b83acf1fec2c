using System.Text.Json.Nodes;
using ExecutionPlanner.Tests.Support;

namespace ExecutionPlanner.Tests.Integration.Cli;

/// <summary>The generic UWS commands (submit, jobs, watch, results, abort, delete) against our server, running real containers.</summary>
[Category("PostgreSQL")]
[Category("Docker")]
[Parallelizable(ParallelScope.Children)]
public sealed class CliUwsTests
{
    const int Owners = 10;
    UwsTestServer server = null!;
    int nextOwner = -1;
    string folder = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        await ExecutionServer.RequireDockerAsync();
        var settings = new Dictionary<string, string?> { ["Auth:AllowAnonymous"] = "false" };
        for (var i = 0; i < Owners; i++)
        {
            settings[$"Auth:Tokens:cli-uws-token-{i}"] = $"cli-uws-{i}";
        }
        server = await ExecutionServer.StartAsync(settings);
        folder = Directory.CreateTempSubdirectory("ep-uws-").FullName;
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
        Directory.Delete(folder, recursive: true);
    }

    string JobList => new Uri(server.BaseAddress, "/jobs").AbsoluteUri;

    /// <summary>Each test is its own owner, given to `ep` through EP_TOKEN.</summary>
    Dictionary<string, string> NewOwner() => new() { ["EP_TOKEN"] = $"cli-uws-token-{Interlocked.Increment(ref nextOwner)}" };

    [Test]
    public async Task Submit_watch_jobs_and_results_follow_a_job_from_creation_to_its_files()
    {
        var env = NewOwner();
        var submitted = await Ep.RunAsync(env, CancellationToken.None,
            "submit", JobList, "--image", UwsClient.Image, "--cmd", "sh", "--cmd=-c", "--cmd", "echo 42 > /uws/results/answer.txt; echo done", "-p", "RUNID=cli-test", "--run", "--json");
        Assert.That(submitted.ExitCode, Is.EqualTo(0), submitted.ToString());
        var job = JsonNode.Parse(submitted.Out)!["url"]!.GetValue<string>();

        var watched = await Ep.RunAsync(env, CancellationToken.None, "watch", job);
        Assert.That(watched.ExitCode, Is.EqualTo(0), watched.ToString());
        Assert.That(watched.Out, Does.Contain("COMPLETED").And.Contain("done"));

        var listed = await Ep.RunAsync(env, CancellationToken.None, "jobs", JobList, "--phase", "COMPLETED", "--last", "5", "--json");
        Assert.That(listed.ExitCode, Is.EqualTo(0), listed.ToString());
        var jobs = JsonNode.Parse(listed.Out)!["jobs"]!.AsArray();
        Assert.That(jobs.Select(j => j!["href"]!.GetValue<string>()), Is.EqualTo(new[] { job }));
        Assert.That(jobs[0]!["runId"]!.GetValue<string>(), Is.EqualTo("cli-test"));

        var none = await Ep.RunAsync(env, CancellationToken.None, "jobs", JobList, "--phase", "EXECUTING", "--after", "1h", "--json");
        Assert.That(JsonNode.Parse(none.Out)!["jobs"]!.AsArray(), Is.Empty, none.ToString());

        var output = Path.Combine(folder, "results");
        var results = await Ep.RunAsync(env, CancellationToken.None, "results", job, "--output", output);
        Assert.That(results.ExitCode, Is.EqualTo(0), results.ToString());
        Assert.That(results.Out, Does.Contain("answer.txt").And.Contain("stdout"));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(output, "answer.txt")), Is.EqualTo("42\n"));
    }

    [Test]
    public async Task Abort_ends_a_running_job_as_ABORTED_and_watch_says_so_with_exit_2()
    {
        var env = NewOwner();
        var submitted = await Ep.RunAsync(env, CancellationToken.None, "submit", JobList, "--image", UwsClient.Image, "--cmd", "sleep", "--cmd", "60", "--run", "--json");
        var job = JsonNode.Parse(submitted.Out)!["url"]!.GetValue<string>();
        var aborted = await Ep.RunAsync(env, CancellationToken.None, "abort", job);
        Assert.That(aborted.ExitCode, Is.EqualTo(0), aborted.ToString());
        var watched = await Ep.RunAsync(env, CancellationToken.None, "watch", job, "--timeout", "60s");
        Assert.That(watched.ExitCode, Is.EqualTo(2), watched.ToString());
        Assert.That(watched.Out, Does.Contain("ABORTED"));
    }

    [Test]
    public async Task Delete_removes_the_job_and_a_later_watch_explains_the_404_without_a_stack_trace()
    {
        var env = NewOwner();
        var submitted = await Ep.RunAsync(env, CancellationToken.None, "submit", JobList, "--image", UwsClient.Image, "--json");
        var job = JsonNode.Parse(submitted.Out)!["url"]!.GetValue<string>();
        Assert.That(JsonNode.Parse(submitted.Out)!["phase"]!.GetValue<string>(), Is.EqualTo("PENDING"));
        var deleted = await Ep.RunAsync(env, CancellationToken.None, "delete", job);
        Assert.That(deleted.ExitCode, Is.EqualTo(0), deleted.ToString());
        var watched = await Ep.RunAsync(env, CancellationToken.None, "watch", job);
        Assert.That(watched.ExitCode, Is.EqualTo(4), watched.ToString());
        Assert.That(watched.Error, Does.Contain("404").And.Contain("no such resource"));
        Assert.That(watched.Error, Does.Not.Contain("   at "));
    }

    [Test]
    public async Task A_wrong_token_is_refused_with_a_sentence_and_never_echoed()
    {
        const string wrong = "wrong-token-0815";
        var listed = await Ep.RunAsync(new Dictionary<string, string> { ["EP_TOKEN"] = wrong }, CancellationToken.None, "jobs", JobList);
        Assert.That(listed.ExitCode, Is.EqualTo(4), listed.ToString());
        Assert.That(listed.Error, Does.Contain("401").And.Contain("token"));
        Assert.That(listed.Out + listed.Error, Does.Not.Contain(wrong));
    }

    [Test]
    public async Task Json_errors_are_one_document_with_the_exit_code()
    {
        var result = await Ep.RunAsync(NewOwner(), CancellationToken.None, "jobs", new Uri(server.BaseAddress, "/health/live").AbsoluteUri, "--json");
        Assert.That(result.ExitCode, Is.EqualTo(4), result.ToString());
        var doc = JsonNode.Parse(result.Out)!;
        Assert.That(doc["exitCode"]!.GetValue<int>(), Is.EqualTo(4));
        Assert.That(doc["error"]!.GetValue<string>(), Does.Contain("UWS"));
    }
}
