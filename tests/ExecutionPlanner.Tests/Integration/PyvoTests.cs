using System.Diagnostics;
using ExecutionPlanner.Tests.Support;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// pyvo 1.2.1 (Debian's python3-pyvo, under /usr/bin/python3) parses every job and job list document
/// the server writes, and reads the same phase, ids, results and error as we wrote.
/// </summary>
[Category("PostgreSQL")]
[Parallelizable(ParallelScope.Children)]
public sealed class PyvoTests
{
    const string Python = "/usr/bin/python3";

    const string Script = """
        import sys
        from pyvo.io.uws import parse_job, parse_job_list
        kind, path = sys.argv[1], sys.argv[2]
        if kind == 'job':
            job = parse_job(path)
            print(job.jobid)
            print(job.phase)
            print(' '.join(sorted('%s:%s:%s' % (r.id_, r.size, r.mimetype) for r in job.results)))
            # pyvo 1.2.1 does not parse errorSummary's message child; type and hasDetail it does read.
            es = job.errorsummary
            print('%s %s' % (es.type_, es.has_detail) if es is not None else '-')
            print(job.ownerid)
        else:
            jobs = parse_job_list(path)
            print(' '.join(j.jobid for j in jobs))
            print(' '.join(j.phase for j in jobs))
        """;

    UwsTestServer server = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        var probe = await RunPythonAsync("-c", "import pyvo.io.uws");
        if (probe is null || probe.Value.ExitCode != 0)
        {
            RequiredServices.Missing("pyvo (python3-pyvo)");
        }
        server = await UwsTestServer.StartAsync();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    static async Task<(int ExitCode, string Output, string Error)?> RunPythonAsync(params string[] args)
    {
        if (!File.Exists(Python))
        {
            return null;
        }
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Fetches a document as the server wrote it (checking it against UWS.xsd) and lets pyvo parse it.</summary>
    static async Task<string[]> ParseWithPyvoAsync(HttpClient client, string kind, string path)
    {
        await client.GetUwsXmlAsync(path);
        var text = await client.GetStringAsync(path);
        var file = Path.Combine(Path.GetTempPath(), $"ep-pyvo-{Guid.NewGuid():N}.xml");
        await File.WriteAllTextAsync(file, text);
        try
        {
            var result = (await RunPythonAsync("-c", Script, kind, file))!.Value;
            Assert.That(result.ExitCode, Is.Zero, $"pyvo failed on {path}:\n{result.Error}\n{text}");
            return result.Output.Split('\n');
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestCase("PENDING")]
    [TestCase("QUEUED")]
    [TestCase("ABORTED")]
    public async Task Pyvo_reads_a_job_in_a_client_reachable_phase(string phase)
    {
        using var client = server.NewOwner(out var owner);
        var id = await client.CreateJobAsync(("cmd", "echo <&>"), ("RUNID", "pyvo run"));
        if (phase != "PENDING")
        {
            (await client.PostFormAsync($"/jobs/{id}/phase", ("PHASE", phase == "QUEUED" ? "RUN" : "ABORT"))).Dispose();
        }
        var lines = await ParseWithPyvoAsync(client, "job", $"/jobs/{id}");
        Assert.That(lines[..5], Is.EqualTo(new[] { id, phase, "", "-", owner }));
    }

    [Test]
    public async Task Pyvo_reads_a_failed_job_with_its_error_summary()
    {
        using var client = server.NewOwner();
        var id = await client.CreateJobAsync();
        await JobRows.ExecuteAsync("UPDATE jobs SET phase = 'ERROR', error_summary = $2, error_detail = 'trace' WHERE id = $1",
            id, "Container exited with code 3");
        var lines = await ParseWithPyvoAsync(client, "job", $"/jobs/{id}");
        Assert.That(lines[..4], Is.EqualTo(new[] { id, "ERROR", "", "fatal True" }));
    }

    [Test]
    public async Task Pyvo_reads_a_completed_job_with_its_results()
    {
        using var client = server.NewOwner();
        var id = await client.CreateJobAsync();
        await JobRows.AddResultAsync(id, "stdout.txt", "text/plain", [1, 2, 3]);
        await JobRows.AddResultAsync(id, "table.vot", "application/x-votable+xml", new byte[1000]);
        await JobRows.ExecuteAsync("UPDATE jobs SET phase = 'COMPLETED', start_time = creation_time, end_time = creation_time, exit_code = 0 WHERE id = $1", id);
        var lines = await ParseWithPyvoAsync(client, "job", $"/jobs/{id}");
        Assert.That(lines[..3], Is.EqualTo(new[] { id, "COMPLETED", "stdout.txt:3:text/plain table.vot:1000:application/x-votable+xml" }));
    }

    [Test]
    public async Task Pyvo_reads_an_anonymous_job()
    {
        using var client = server.Anonymous();
        var id = await client.CreateJobAsync();
        var lines = await ParseWithPyvoAsync(client, "job", $"/jobs/{id}");
        Assert.That(lines[..2], Is.EqualTo(new[] { id, "PENDING" }));
        Assert.That(lines[4], Is.EqualTo("None"));
    }

    [Test]
    public async Task Pyvo_reads_job_lists_whole_and_filtered()
    {
        using var client = server.NewOwner();
        var pending = await client.CreateJobAsync();
        var queued = await client.CreateJobAsync(("PHASE", "RUN"));
        var aborted = await client.CreateJobAsync();
        (await client.PostFormAsync($"/jobs/{aborted}/phase", ("PHASE", "ABORT"))).Dispose();

        var all = await ParseWithPyvoAsync(client, "list", "/jobs");
        Assert.That(all[0].Split(' '), Is.EquivalentTo(new[] { pending, queued, aborted }));
        var filtered = await ParseWithPyvoAsync(client, "list", "/jobs?PHASE=QUEUED&PHASE=ABORTED");
        Assert.That(filtered[0].Split(' '), Is.EquivalentTo(new[] { queued, aborted }));
        Assert.That(filtered[1].Split(' '), Is.EquivalentTo(new[] { "QUEUED", "ABORTED" }));
        var last = await ParseWithPyvoAsync(client, "list", "/jobs?LAST=1");
        Assert.That(last[0].Split(' '), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task Pyvo_reads_an_empty_job_list()
    {
        using var client = server.NewOwner();
        var lines = await ParseWithPyvoAsync(client, "list", "/jobs");
        Assert.That(lines[0], Is.Empty);
    }
}
