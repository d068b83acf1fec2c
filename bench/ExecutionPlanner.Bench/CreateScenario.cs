using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace ExecutionPlanner.Bench;

/// <summary>Job creations per second: POST /jobs (expect 303) from 1 and from 8 concurrent clients.</summary>
public static class CreateScenario
{
    public const double Target = 1500;

    static readonly byte[] Body = Encoding.ASCII.GetBytes("image=executionplanner%2Fbusybox%3A1&cmd=echo&cmd=hi");

    public static async Task RunAsync(BenchServer server, BenchOptions options, Report report)
    {
        Console.Error.WriteLine("create: POST /jobs");
        foreach (var clients in new[] { 1, 8 })
        {
            using var http = server.NewClient(clients);
            var result = await ClosedLoop.RunAsync(clients, options.Warmup, options.Duration, async (_, ct) =>
            {
                using var content = new ByteArrayContent(Body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
                using var response = await http.PostAsync(new Uri("/jobs", UriKind.Relative), content, ct);
                return response.StatusCode == HttpStatusCode.SeeOther;
            });
            var pass = clients == 8 ? result.PerSecond >= Target : (bool?)null;
            report.Add("create", $"POST /jobs, {clients} client{(clients > 1 ? "s" : "")}: jobs/s",
                Report.Num(result.PerSecond), clients == 8 ? "≥ 1,500/s" : "", pass);
            report.Add("create", $"POST /jobs, {clients} client{(clients > 1 ? "s" : "")}: latency",
                $"median {Report.Ms(result.Latency.Median)}, p95 {Report.Ms(result.Latency.P95)}");
            if (result.Failures > 0)
            {
                report.Note($"create with {clients} clients: {result.Failures} requests did not answer 303.");
            }
        }
    }
}
