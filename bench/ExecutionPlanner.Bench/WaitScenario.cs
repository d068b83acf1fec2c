using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.Http.Headers;
using System.Text;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Waiting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ExecutionPlanner.Bench;

/// <summary>
/// Blocking GETs: N clients wait on N PENDING jobs (WAIT=30); the jobs then change phase, either all
/// at once by another process (one SQL UPDATE, the trigger's NOTIFY wakes the server), or one by one
/// through POST /jobs/{id}/phase PHASE=RUN at about one per millisecond. Measured: the time from the
/// change to each waiter's response.
/// </summary>
public static class WaitScenario
{
    public const double TargetP99Ms = 100;

    static readonly byte[] RunBody = Encoding.ASCII.GetBytes("PHASE=RUN");

    public static async Task RunAsync(BenchServer server, BenchDatabase db, BenchOptions options, Report report)
    {
        // Warm-up, so that the first-use costs of the wake-up path are not measured: a steady server has long
        // paid them. Besides query compilation and the first JIT, .NET recompiles a hot method twice in the
        // background (an instrumented version after 30 calls, then the optimised one after 30 more), and only
        // once no new method has been compiled for 100 ms; a profile after three back-to-back rounds still
        // showed the job document's writer in its instrumented version. Hence rounds with pauses between them.
        for (var round = 0; round < 5; round++)
        {
            await AllAtOnceAsync(server, db, Math.Min(300, options.Waiters), new Report(quiet: true));
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
        await AllAtOnceAsync(server, db, options.Waiters, report);
        await OneByOneAsync(server, db, options, report);
    }

    static async Task AllAtOnceAsync(BenchServer server, BenchDatabase db, int n, Report report)
    {
        Console.Error.WriteLine($"wait: {n} waiters, one UPDATE by another process");
        var ids = await db.InsertPendingJobsAsync(n, TimeSpan.FromMinutes(1), TimeProvider.System.GetUtcNow());
        using var http = new RawHttpWaiter(server.BaseAddress);
        var waiters = StartWaiters(http, ids);
        if (!await AllBlockedAsync(server, waiters, n, report, "all at once"))
        {
            return;
        }

        // A LISTEN of our own shows when PostgreSQL delivers the notifications, apart from the server.
        await using var listener = await db.DataSource.OpenConnectionAsync();
        long firstNotice = 0, lastNotice = 0;
        var notices = 0;
        // Only this round's jobs count: the channel also carries other changes (earlier rounds and scenarios).
        var round = ids.ToHashSet(StringComparer.Ordinal);
        listener.Notification += (_, e) =>
        {
            var now = Stopwatch.GetTimestamp();
            var space = e.Payload.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || !round.Contains(e.Payload[..space]))
            {
                return;
            }
            if (notices++ == 0)
            {
                firstNotice = now;
            }
            lastNotice = now;
        };
        await using (var listen = new NpgsqlCommand("LISTEN uws_job_change", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }
        using var stopListening = new CancellationTokenSource();
        var listening = Task.Run(async () =>
        {
            try
            {
                while (notices < n)
                {
                    await listener.WaitAsync(stopListening.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // stopped below
            }
        });

        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var update = new NpgsqlCommand(
            "UPDATE jobs SET phase = 'QUEUED', phase_changed_at = now(), queued_at = now() WHERE id = ANY(@ids)", connection)
        {
            Parameters = { new("ids", ids.ToArray()) },
        };
        var gcBefore = GcSnapshot.Take();
        var before = Stopwatch.GetTimestamp();
        var updated = await update.ExecuteNonQueryAsync();
        var committed = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(waiters.Select(w => w.Task));
        var gc = GcSnapshot.Take() - gcBefore;
        await Task.WhenAny(listening, Task.Delay(2000));
        await stopListening.CancelAsync();
        await listening;

        // The change is public when PostgreSQL commits it. This process may see the commit's acknowledgement late (its
        // thread pool is busy with the waiters' connections), so the earlier of that and the first NOTIFY seen by the
        // separate LISTEN marks the change; the send of the UPDATE gives an upper bound that includes its own execution.
        var changed = notices > 0 ? Math.Min(committed, firstNotice) : committed;
        var delays = results.Select(r => Stats.Ms(changed, r.Received)).ToList();
        var stats = Stats.Of(delays);
        var fromSend = Stats.Of(results.Select(r => Stats.Ms(before, r.Received)).ToList());
        var queued = results.Count(r => r.Phase == "QUEUED");
        report.Add("wait", $"{n} waiters, one UPDATE of {updated} rows: wake-up delay after the commit (acknowledged or first NOTIFY seen, the earlier)",
            stats.Summary(), "p99 < 100 ms", stats.P99 < TargetP99Ms && queued == n);
        report.Add("wait", "  the same, from sending the UPDATE (includes the UPDATE's own execution and commit)", fromSend.Summary());
        report.Add("wait", "  the UPDATE itself (send to commit acknowledged)", Report.Ms(Stats.Ms(before, committed)));
        report.Add("wait", "  first / last waiter answered after the commit", $"{Report.Ms(stats.Min)} / {Report.Ms(stats.Max)}");
        report.Add("wait", "  NOTIFY seen by a separate LISTEN connection: first / last after commit",
            $"{Report.Ms(Stats.Ms(committed, firstNotice))} / {Report.Ms(Stats.Ms(committed, lastNotice))} ({notices} notifications)");
        report.Add("wait", "  responses saying QUEUED", $"{queued} of {n}", $"{n} of {n}", queued == n);
        report.Add("wait", "  garbage collections from the UPDATE to the last answer (server and bench share the process)", gc.ToString());
        if (stats.Min < 0)
        {
            report.Note($"wait (all at once): {delays.Count(d => d < 0)} waiters answered before the bench saw its own commit acknowledged (min {Report.Ms(stats.Min)}).");
        }
        Describe(report, "all at once", results);
    }

    static async Task OneByOneAsync(BenchServer server, BenchDatabase db, BenchOptions options, Report report)
    {
        var n = options.Waiters;
        Console.Error.WriteLine($"wait: {n} waiters, POST PHASE=RUN one by one (~1/ms)");
        var ids = await db.InsertPendingJobsAsync(n, TimeSpan.FromMinutes(1), TimeProvider.System.GetUtcNow());
        using var http = new RawHttpWaiter(server.BaseAddress);
        using var control = server.NewClient(256);
        var waiters = StartWaiters(http, ids);
        if (!await AllBlockedAsync(server, waiters, n, report, "one by one"))
        {
            return;
        }

        var posts = new Task<(long Done, bool Ok)>[n];
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++)
        {
            var due = start + i * Stopwatch.Frequency / 1000;
            var ahead = Stats.Ms(Stopwatch.GetTimestamp(), due);
            if (ahead >= 1)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(ahead));
            }
            posts[i] = PostRunAsync(control, ids[i]);
        }
        var sent = Stopwatch.GetTimestamp();
        var done = await Task.WhenAll(posts);
        var results = await Task.WhenAll(waiters.Select(w => w.Task));

        var delays = results.Select((r, i) => Stats.Ms(done[i].Done, r.Received)).ToList();
        var stats = Stats.Of(delays);
        var queued = results.Count(r => r.Phase == "QUEUED");
        report.Add("wait", $"{n} waiters, POST PHASE=RUN one by one: delay after each POST's 303", stats.Summary(),
            "p99 < 100 ms", stats.P99 < TargetP99Ms && queued == n);
        report.Add("wait", "  POSTs: sent over / all answered after / 303s",
            $"{Report.Ms(Stats.Ms(start, sent))} / {Report.Ms(Stats.Ms(start, done.Max(d => d.Done)))} / {done.Count(d => d.Ok)} of {n}");
        report.Add("wait", "  responses saying QUEUED", $"{queued} of {n}", $"{n} of {n}", queued == n);
        if (stats.Min < 0)
        {
            report.Note($"wait (one by one): {delays.Count(d => d < 0)} waiters answered before the client had read its POST's 303 " +
                $"(min {Report.Ms(stats.Min)}); a negative delay means the wake-up beat the POST's own response.");
        }
        Describe(report, "one by one", results);
    }

    static async Task<(long Done, bool Ok)> PostRunAsync(HttpClient http, string id)
    {
        using var content = new ByteArrayContent(RunBody);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        try
        {
            using var response = await http.PostAsync(new Uri($"/jobs/{id}/phase", UriKind.Relative), content);
            return (Stopwatch.GetTimestamp(), response.StatusCode == HttpStatusCode.SeeOther);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"  POST for {id} failed: {ex.Message}");
            return (Stopwatch.GetTimestamp(), false);
        }
    }

    sealed record WaitResult(long Received, HttpStatusCode Status, string? Phase);

    sealed class Waiter
    {
        public required Task<WaitResult> Task { get; init; }
    }

    static List<Waiter> StartWaiters(RawHttpWaiter client, List<string> ids) =>
        ids.Select(id => new Waiter { Task = WaitAsync(client, id) }).ToList();

    static async Task<WaitResult> WaitAsync(RawHttpWaiter client, string id)
    {
        await Task.Yield();
        try
        {
            var (received, status, body) = await client.GetAsync($"/jobs/{id}?WAIT=30", CancellationToken.None);
            var from = body.IndexOf("<uws:phase>", StringComparison.Ordinal);
            var to = from < 0 ? -1 : body.IndexOf("</uws:phase>", from, StringComparison.Ordinal);
            var phase = to < 0 ? null : body[(from + "<uws:phase>".Length)..to];
            return new WaitResult(received, status, phase);
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            Console.Error.WriteLine($"  waiter for {id} failed: {ex.Message}");
            return new WaitResult(Stopwatch.GetTimestamp(), 0, null);
        }
    }

    /// <summary>Waits until every request is watching its job in the server's WokenJobReader, then 1 s more. Bounded.</summary>
    static async Task<bool> AllBlockedAsync(BenchServer server, List<Waiter> waiters, int n, Report report, string variant)
    {
        var reader = server.Services.GetRequiredService<WokenJobReader>();
        var deadline = Stopwatch.GetTimestamp() + 20 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < deadline && reader.WatchedJobs < n && !waiters.Any(w => w.Task.IsCompleted))
        {
            await Task.Delay(50);
        }
        await Task.Delay(1000);
        var watched = reader.WatchedJobs;
        var early = waiters.Count(w => w.Task.IsCompleted);
        if (early > 0 || watched < n)
        {
            report.Note($"wait ({variant}): not all waiters blocked ({watched} watched, {early} answered early); skipped.");
            if (early > 0)
            {
                var first = waiters.First(w => w.Task.IsCompleted).Task;
                report.Note($"  first early answer: {(first.IsFaulted ? first.Exception!.GetBaseException().Message : first.Result.Status.ToString())}");
            }
            return false;
        }
        Console.Error.WriteLine($"  {n} waiters blocked");
        return true;
    }

    static void Describe(Report report, string variant, WaitResult[] results)
    {
        var bad = results.Where(r => r.Status != HttpStatusCode.OK).GroupBy(r => r.Status).ToList();
        foreach (var g in bad)
        {
            report.Note($"wait ({variant}): {g.Count()} waiters got HTTP {(int)g.Key}.");
        }
    }
}
