using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Npgsql;

namespace ExecutionPlanner.Bench;

/// <summary>
/// Live events across nodes: two server processes on one database; one SSE client follows GET /jobs/events on node A
/// while n jobs change phase (PENDING -> QUEUED) on node B, through POST /jobs/{id}/phase PHASE=RUN one by one, then
/// with 64 requests in flight, then by one SQL UPDATE of all n from another process. Measured per job: the time from
/// the change to the client reading its event on A, (1) from the change's own time stamp (the event's "time", set by
/// the writer just before its commit, on this machine's clock; truncated to the millisecond, so it may add up to 1 ms)
/// and (2) from the client sending its POST to B (includes B's handling of the request).
/// The target is judged from the commit, which a LISTEN of the bench's own marks (<see cref="NotifyWatcher"/>): a
/// change exists for other nodes from its commit on; the time before it is the writer's, and is reported beside.
/// </summary>
public static class SseScenario
{
    public const double TargetP99Ms = 100;
    const int Concurrency = 64;

    public static async Task RunAsync(BenchDatabase db, BenchOptions options, Report report)
    {
        var n = options.SseJobs;
        Console.Error.WriteLine("sse: starting node A and node B (separate processes)");
        // PostgreSQL's 100 connections are shared with whatever else runs on the machine: each node takes at most 20.
        var nodeConnection = new NpgsqlConnectionStringBuilder(db.ConnectionString) { MaxPoolSize = 20 }.ConnectionString;
        await using var nodeA = await NodeProcess.StartAsync("sse-a", nodeConnection);
        await using var nodeB = await NodeProcess.StartAsync("sse-b", nodeConnection);
        report.Machine("Load average at start (/proc/loadavg; other work on the machine)", File.ReadAllText("/proc/loadavg").Trim());
        report.Machine("SSE set-up", "two server processes (node A, node B; Maximum Pool Size 20 each, execution off) on one database, SSE client, load and a LISTEN of its own in the bench process, HTTP/1.1 over 127.0.0.1");

        using var streamClient = new HttpClient { BaseAddress = nodeA.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var control = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = Concurrency })
        {
            BaseAddress = nodeB.BaseAddress,
        };
        await using var stream = await SseListener.OpenAsync(streamClient, "/jobs/events");
        await using var notices = await NotifyWatcher.StartAsync(db);

        // Warm-up: first-use costs on both nodes (JIT, queries, the stream's path), not measured.
        for (var round = 0; round < 3; round++)
        {
            await OneByOneAsync(db, control, stream, notices, 200, new Report(quiet: true), "warm-up");
            await Task.Delay(500);
        }
        await OneByOneAsync(db, control, stream, notices, n, report, "one by one");
        await Task.Delay(500);
        await InFlightAsync(db, control, stream, notices, n, report);
        await Task.Delay(500);
        await OneUpdateAsync(db, stream, notices, n, report);
        report.Add("sse", "POSTs answered 503 and sent again (PostgreSQL out of connection slots)", retried.ToString(System.Globalization.CultureInfo.InvariantCulture));
        report.Add("sse", "events the stream ended or lost", stream.Ended ? "stream ended!" : "none", "none", !stream.Ended);
    }

    static async Task OneByOneAsync(BenchDatabase db, HttpClient control, SseListener stream, NotifyWatcher notices, int n, Report report, string label)
    {
        Console.Error.WriteLine($"sse: {label}: {n} jobs, POST PHASE=RUN to node B one after another");
        var ids = await db.InsertPendingJobsAsync(n, TimeSpan.FromMinutes(1), TimeProvider.System.GetUtcNow());
        var sent = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            sent[id] = Stopwatch.GetTimestamp();
            await RunAsync(control, id);
        }
        await ReportAsync(stream, notices, ids, sent, report, $"{n} jobs changed on node B one by one (POST PHASE=RUN, one in flight)");
    }

    static async Task InFlightAsync(BenchDatabase db, HttpClient control, SseListener stream, NotifyWatcher notices, int n, Report report)
    {
        Console.Error.WriteLine($"sse: {n} jobs, POST PHASE=RUN to node B, {Concurrency} in flight");
        var ids = await db.InsertPendingJobsAsync(n, TimeSpan.FromMinutes(1), TimeProvider.System.GetUtcNow());
        var sent = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (id, _) =>
        {
            sent[id] = Stopwatch.GetTimestamp();
            await RunAsync(control, id);
        });
        await ReportAsync(stream, notices, ids, sent, report, $"{n} jobs changed on node B, {Concurrency} POSTs in flight");
    }

    static async Task OneUpdateAsync(BenchDatabase db, SseListener stream, NotifyWatcher notices, int n, Report report)
    {
        Console.Error.WriteLine($"sse: {n} jobs, one UPDATE by another process");
        var ids = await db.InsertPendingJobsAsync(n, TimeSpan.FromMinutes(1), TimeProvider.System.GetUtcNow());
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var update = new NpgsqlCommand(
            "UPDATE jobs SET phase = 'QUEUED', phase_changed_at = now(), queued_at = now() WHERE id = ANY(@ids)", connection)
        {
            Parameters = { new("ids", ids.ToArray()) },
        };
        var before = Stopwatch.GetTimestamp();
        await update.ExecuteNonQueryAsync();
        var committed = Stopwatch.GetTimestamp();
        await ReportAsync(stream, notices, ids, ids.ToDictionary(id => id, _ => before), report,
            $"{n} jobs changed by one UPDATE (another process; the time stamp is the transaction's start)");
        report.Add("sse", "  the UPDATE itself (send to commit acknowledged; its triggers included)", Report.Ms(Stats.Ms(before, committed)));
    }

    /// <summary>Requests node B answered 503 (PostgreSQL out of connection slots: other work on the machine) and were sent again.</summary>
    static int retried;

    static async Task RunAsync(HttpClient control, string id)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await control.PostAsync($"/jobs/{id}/phase", new FormUrlEncodedContent([KeyValuePair.Create("PHASE", "RUN")]));
            if (response.StatusCode == HttpStatusCode.SeeOther)
            {
                return;
            }
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 5)
            {
                throw new InvalidOperationException($"PHASE=RUN of {id} answered {(int)response.StatusCode}");
            }
            Interlocked.Increment(ref retried);
            await Task.Delay(200);
        }
    }

    static async Task ReportAsync(SseListener stream, NotifyWatcher notices, List<string> ids, IReadOnlyDictionary<string, long> sent, Report report, string what)
    {
        var arrivals = await stream.WaitForAsync(ids, "QUEUED", TimeSpan.FromSeconds(30));
        var fromStamp = Stats.Of(arrivals.Values.Select(a => (a.ReceivedAt - a.PhaseTime).TotalMilliseconds));
        var fromSend = Stats.Of(arrivals.Select(a => Stats.Ms(sent[a.Key], a.Value.Received)));
        var fromNotify = Stats.Of(arrivals.Where(a => notices.Seen(a.Key) is not null).Select(a => Stats.Ms(notices.Seen(a.Key)!.Value, a.Value.Received)));
        report.Add("sse", $"{what}: commit (the NOTIFY as a separate LISTEN in the bench saw it) to the event read on node A",
            fromNotify.Summary(), "p99 < 100 ms", fromNotify.P99 < TargetP99Ms && fromNotify.Count == ids.Count);
        report.Add("sse", "  the same, from the change's time stamp (taken by the writer before its UPDATE: adds the writer's own wait for the commit)", fromStamp.Summary());
        report.Add("sse", "  the same, from sending the request (adds node B's handling of it)", fromSend.Summary());
        report.Add("sse", "  events received", $"{arrivals.Count} of {ids.Count}", $"{ids.Count} of {ids.Count}", arrivals.Count == ids.Count);
    }
}

/// <summary>
/// A text/event-stream reader: for each phase event, the job, the phase, its time stamp, and when it was read
/// (a Stopwatch time stamp and this machine's clock).
/// </summary>
public sealed class SseListener : IAsyncDisposable
{
    public sealed record Arrival(DateTimeOffset PhaseTime, long Received, DateTimeOffset ReceivedAt);

    readonly HttpResponseMessage response;
    readonly CancellationTokenSource stop = new();
    readonly ConcurrentDictionary<(string JobId, string Phase), Arrival> arrivals = new();
    readonly Task reading;

    SseListener(HttpResponseMessage response)
    {
        this.response = response;
        reading = Task.Run(ReadAsync);
    }

    public bool Ended => reading.IsCompleted;

    public static async Task<SseListener> OpenAsync(HttpClient client, string path)
    {
        var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new SseListener(response);
    }

    async Task ReadAsync()
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(stop.Token);
            using var reader = new StreamReader(body);
            string? name = null;
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && name == "phase")
                {
                    var received = Stopwatch.GetTimestamp();
                    var receivedAt = TimeProvider.System.GetUtcNow();
                    using var json = JsonDocument.Parse(line["data: ".Length..]);
                    var root = json.RootElement;
                    var time = DateTimeOffset.Parse(root.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                    arrivals.TryAdd((root.GetProperty("jobId").GetString()!, root.GetProperty("phase").GetString()!),
                        new Arrival(time, received, receivedAt));
                }
                else if (line.Length == 0)
                {
                    name = null;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
        {
            // Closed.
        }
    }

    /// <summary>The arrivals of <paramref name="phase"/> for these jobs, once all came or the timeout passed.</summary>
    public async Task<Dictionary<string, Arrival>> WaitForAsync(IReadOnlyCollection<string> ids, string phase, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (ids.Any(id => !arrivals.ContainsKey((id, phase))) && watch.Elapsed < timeout && !Ended)
        {
            await Task.Delay(20);
        }
        return ids.Where(id => arrivals.ContainsKey((id, phase))).ToDictionary(id => id, id => arrivals[(id, phase)], StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        response.Dispose();
        await reading;
        stop.Dispose();
    }
}

/// <summary>
/// A LISTEN of the bench's own on uws_job_event: when each job's QUEUED change was announced, i.e. committed (the
/// notification is sent at commit). It marks the change apart from both nodes.
/// </summary>
public sealed class NotifyWatcher : IAsyncDisposable
{
    readonly NpgsqlConnection connection;
    readonly CancellationTokenSource stop = new();
    readonly ConcurrentDictionary<string, long> seen = new(StringComparer.Ordinal);
    Task loop = Task.CompletedTask;

    NotifyWatcher(NpgsqlConnection connection) => this.connection = connection;

    public static async Task<NotifyWatcher> StartAsync(BenchDatabase db)
    {
        var watcher = new NotifyWatcher(await db.DataSource.OpenConnectionAsync());
        watcher.connection.Notification += (_, e) =>
        {
            var now = Stopwatch.GetTimestamp();
            if (e.Payload.Contains("\"p\":\"QUEUED\"", StringComparison.Ordinal) || e.Payload.Contains("\"p\" : \"QUEUED\"", StringComparison.Ordinal))
            {
                using var json = JsonDocument.Parse(e.Payload);
                watcher.seen.TryAdd(json.RootElement.GetProperty("id").GetString()!, now);
            }
        };
        await using (var listen = new NpgsqlCommand("LISTEN uws_job_event", watcher.connection))
        {
            await listen.ExecuteNonQueryAsync();
        }
        watcher.loop = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await watcher.connection.WaitAsync(watcher.stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // stopped
            }
        });
        return watcher;
    }

    public long? Seen(string jobId) => seen.TryGetValue(jobId, out var t) ? t : null;

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        await connection.DisposeAsync();
        stop.Dispose();
    }
}
