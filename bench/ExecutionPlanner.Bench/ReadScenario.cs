using System.Diagnostics;
using System.Net;

namespace ExecutionPlanner.Bench;

/// <summary>
/// Reads with a full database: GET /jobs?LAST=100 and GET /jobs/{id} latency (one client, sequential),
/// and the unfiltered list streamed with the process's memory watched.
/// </summary>
public static class ReadScenario
{
    public const double TargetP95Ms = 10;

    public static async Task RunAsync(BenchServer server, BenchDatabase db, BenchOptions options, Report report)
    {
        var existing = (int)await db.ScalarAsync<long>("SELECT count(*) FROM jobs");
        var missing = Math.Max(0, options.Jobs - existing);
        Console.Error.WriteLine($"read: filling the jobs table to {options.Jobs} ({existing} there, inserting {missing} with COPY)");
        var fill = Stopwatch.StartNew();
        await db.InsertPendingJobsAsync(missing, TimeSpan.FromDays(30), TimeProvider.System.GetUtcNow());
        report.Add("read", "jobs in the table", Report.Num(await db.ScalarAsync<long>("SELECT count(*) FROM jobs"), "#,0"));
        report.Note($"read: {missing:#,0} rows inserted with binary COPY (+ ANALYZE) in {fill.Elapsed.TotalSeconds:0.0} s.");

        var ids = new List<string>(options.Jobs);
        await using (var command = db.DataSource.CreateCommand("SELECT id FROM jobs"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetString(0));
            }
        }

        using var http = server.NewClient(4);
        var warmup = Math.Max(100, options.Requests / 10);

        var last = await SequentialAsync(http, warmup, options.Requests, _ => "/jobs?LAST=100", body => Count(body, "<uws:jobref") == 100);
        report.Add("read", "GET /jobs?LAST=100 latency", last.Latency.Summary(), "p95 < 10 ms", last.Latency.P95 < TargetP95Ms);
        Failures(report, "GET /jobs?LAST=100", last.Failures);

        var one = await SequentialAsync(http, warmup, options.Requests, _ => "/jobs/" + ids[Random.Shared.Next(ids.Count)],
            body => body.Contains("<uws:phase>", StringComparison.Ordinal));
        report.Add("read", "GET /jobs/{id} latency (random ids)", one.Latency.Summary(), "p95 < 10 ms", one.Latency.P95 < TargetP95Ms);
        Failures(report, "GET /jobs/{id}", one.Failures);

        await StreamWholeListAsync(http, ids.Count, report);
    }

    sealed record Sequential(Stats Latency, int Failures);

    static async Task<Sequential> SequentialAsync(HttpClient http, int warmup, int count, Func<int, string> path, Func<string, bool> check)
    {
        var latencies = new List<double>(count);
        var failures = 0;
        for (var i = 0; i < warmup + count; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(new Uri(path(i), UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            var t1 = Stopwatch.GetTimestamp();
            if (i >= warmup)
            {
                latencies.Add(Stats.Ms(t0, t1));
                if (response.StatusCode != HttpStatusCode.OK || !check(body))
                {
                    failures++;
                }
            }
        }
        return new Sequential(Stats.Of(latencies), failures);
    }

    static void Failures(Report report, string what, int failures)
    {
        if (failures > 0)
        {
            report.Note($"{what}: {failures} responses were not 200 with the expected content.");
        }
    }

    /// <summary>GET /jobs unfiltered, read as a stream; working set and managed heap sampled while it runs.</summary>
    static async Task StreamWholeListAsync(HttpClient http, int expected, Report report)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var heapBefore = GC.GetTotalMemory(false);
        var wsBefore = self.WorkingSet64;
        var peakBefore = self.PeakWorkingSet64;
        long wsMax = wsBefore, heapMax = heapBefore;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                self.Refresh();
                wsMax = Math.Max(wsMax, self.WorkingSet64);
                heapMax = Math.Max(heapMax, GC.GetTotalMemory(false));
                try
                {
                    await Task.Delay(10, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });

        var t0 = Stopwatch.GetTimestamp();
        long bytes = 0;
        var jobs = 0;
        double firstByteMs;
        using (var response = await http.GetAsync(new Uri("/jobs", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead))
        {
            firstByteMs = Stats.Ms(t0, Stopwatch.GetTimestamp());
            await using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[64 * 1024];
            var matcher = new Matcher("<uws:jobref"u8.ToArray());
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                bytes += n;
                jobs += matcher.Feed(buffer.AsSpan(0, n));
            }
        }
        var totalMs = Stats.Ms(t0, Stopwatch.GetTimestamp());
        await stop.CancelAsync();
        await sampler;
        self.Refresh();
        var heapAfter = GC.GetTotalMemory(false);

        report.Add("read", "GET /jobs (whole list) time", $"{Report.Ms(totalMs)} for {jobs:#,0} jobs, {Report.Mb(bytes)} (first byte after {Report.Ms(firstByteMs)})");
        report.Add("read", "GET /jobs (whole list) working set", $"before {Report.Mb(wsBefore)}, max while streaming {Report.Mb(wsMax)}, after {Report.Mb(self.WorkingSet64)}");
        report.Add("read", "GET /jobs (whole list) peak working set", $"before {Report.Mb(peakBefore)}, after {Report.Mb(self.PeakWorkingSet64)}");
        report.Add("read", "GET /jobs (whole list) managed heap", $"before {Report.Mb(heapBefore)}, max while streaming {Report.Mb(heapMax)}, after {Report.Mb(heapAfter)}");
        if (jobs != expected)
        {
            report.Note($"GET /jobs listed {jobs} jobs, expected {expected}.");
        }
    }

    static int Count(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    /// <summary>Counts a pattern whose first byte occurs nowhere else in it, across buffer boundaries.</summary>
    sealed class Matcher(byte[] pattern)
    {
        int matched;

        public int Feed(ReadOnlySpan<byte> data)
        {
            var found = 0;
            foreach (var b in data)
            {
                if (b == pattern[matched])
                {
                    if (++matched == pattern.Length)
                    {
                        found++;
                        matched = 0;
                    }
                }
                else
                {
                    matched = b == pattern[0] ? 1 : 0;
                }
            }
            return found;
        }
    }
}
