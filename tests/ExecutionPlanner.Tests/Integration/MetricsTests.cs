using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>/metrics on a node that runs jobs: after one job, the job, queue-wait and run-duration series say so.</summary>
[Category("Docker")]
public sealed partial class MetricsTests : ServerFixture
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    protected override async Task<UwsTestServer> StartServerAsync()
    {
        await ExecutionServer.RequireDockerAsync();
        return await ExecutionServer.StartAsync();
    }

    [Test]
    public async Task After_one_job_the_metrics_show_it_its_queue_wait_its_run_and_the_http_requests()
    {
        using var client = Server.NewOwner();
        var job = await client.WaitForEndAsync(await client.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"), ("cmd", "sleep 1"), ("PHASE", "RUN")), Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString());
        using var planner = await client.PostAsync("/planner/offersets", JsonContent(PlannerClient.DockerTask()));
        Assert.That(planner.StatusCode, Is.EqualTo(HttpStatusCode.OK), await planner.Content.ReadAsStringAsync());

        // The job and offer counts are read from PostgreSQL at most every few seconds: poll until the gauge has caught up.
        var samples = await ScrapeUntilAsync(s => Value(s, "ep_jobs", ("phase", "COMPLETED")) == 1 && Value(s, "ep_offers", ("phase", "OFFERED")) >= 1);

        // The server's database is its own (ExecutionServer), so this one job is all it has run.
        Assert.That(Value(samples, "ep_job_queue_wait_seconds_count"), Is.EqualTo(1), Dump(samples));
        Assert.That(Value(samples, "ep_job_queue_wait_seconds_sum"), Is.InRange(0, Deadline.TotalSeconds), Dump(samples));
        Assert.That(Value(samples, "ep_job_run_duration_seconds_count", ("reason", "Exited")), Is.EqualTo(1), Dump(samples));
        // The container slept one second; starting and waiting add a little, never a minute.
        Assert.That(Value(samples, "ep_job_run_duration_seconds_sum", ("reason", "Exited")), Is.InRange(0.9, Deadline.TotalSeconds), Dump(samples));
        Assert.That(Value(samples, "ep_container_start_latency_seconds_count"), Is.EqualTo(1), Dump(samples));
        Assert.That(Value(samples, "ep_container_start_latency_seconds_sum"), Is.InRange(0, Deadline.TotalSeconds), Dump(samples));
        Assert.That(Value(samples, "ep_planner_answer_duration_seconds_count", ("http_route", "/planner/offersets"), ("http_response_status_code", "200")), Is.EqualTo(1), Dump(samples));
        Assert.That(Value(samples, "ep_offers", ("phase", "OFFERED")), Is.GreaterThanOrEqualTo(1), Dump(samples));
        Assert.That(Value(samples, "http_server_request_duration_seconds_count", ("http_route", "/jobs/{jobId}/"), ("http_request_method", "GET")),
            Is.GreaterThanOrEqualTo(1), Dump(samples));
        Assert.That(samples.Keys.Any(k => k.StartsWith("dotnet_gc_", StringComparison.Ordinal) || k.StartsWith("process_runtime_dotnet_", StringComparison.Ordinal)),
            "No runtime meters:\n" + string.Join('\n', samples.Keys));
    }

    [Test]
    public async Task Metrics_answer_in_the_prometheus_text_format()
    {
        using var client = Server.Anonymous();
        // One finished request, so that the request-duration histogram has a point to show.
        using (var vosi = await client.GetAsync("/availability"))
        {
            Assert.That(vosi.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        using var answer = await client.GetAsync("/metrics");
        var body = await answer.Content.ReadAsStringAsync();
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(answer.Content.Headers.ContentType!.ToString(), Does.StartWith("text/plain").And.Contain("version=0.0.4"));
        Assert.That(body, Does.Contain("# TYPE http_server_request_duration_seconds histogram"), body);
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')))
        {
            Assert.That(Sample().IsMatch(line), line);
        }
    }

    static string Dump(Dictionary<string, double> samples) =>
        string.Join('\n', samples.Where(s => s.Key.StartsWith("ep_", StringComparison.Ordinal) || s.Key.StartsWith("http_server_request_duration_seconds_count", StringComparison.Ordinal)).Select(s => $"{s.Key} {s.Value}"));

    static StringContent JsonContent(System.Text.Json.Nodes.JsonNode body) =>
        new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    async Task<Dictionary<string, double>> ScrapeUntilAsync(Func<Dictionary<string, double>, bool> done)
    {
        using var client = Server.Anonymous();
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (true)
        {
            var samples = Parse(await client.GetStringAsync("/metrics"));
            if (done(samples))
            {
                return samples;
            }
            Assert.That(TimeProvider.System.GetUtcNow(), Is.LessThan(deadline), "The metrics never caught up:\n" + string.Join('\n', samples.Select(s => $"{s.Key} {s.Value}")));
            await Task.Delay(200);
        }
    }

    /// <summary>Samples by their full series name (metric and labels as written); the value of the one that has all the labels, summed over the others.</summary>
    static double? Value(Dictionary<string, double> samples, string metric, params (string Name, string Value)[] labels)
    {
        var matching = samples.Where(s => (s.Key == metric || s.Key.StartsWith(metric + "{", StringComparison.Ordinal))
            && labels.All(l => s.Key.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal))).ToList();
        return matching.Count == 0 ? null : matching.Sum(s => s.Value);
    }

    static Dictionary<string, double> Parse(string body)
    {
        var samples = new Dictionary<string, double>();
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')))
        {
            var match = Sample().Match(line);
            Assert.That(match.Success, line);
            samples[match.Groups["series"].Value] = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return samples;
    }

    [GeneratedRegex(@"^(?<series>[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{(?:[^""}]|""(?:[^""\\]|\\.)*"")*\})?) (?<value>[-+0-9.eE]+|NaN|\+Inf|-Inf)(?: -?[0-9]+)?$")]
    private static partial Regex Sample();
}
