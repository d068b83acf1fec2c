using System.Diagnostics;
using ExecutionPlanner.Server.Execution;
using ExecutionPlanner.Server.Persistence;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.States;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ExecutionPlanner.Bench;

/// <summary>
/// What Hangfire's part of a job costs on its own: a Hangfire job created, fetched, moved to Processing, run and moved
/// to Succeeded, with the server's storage options, connection string, filters and queue, four workers as at 4 slots,
/// and the jobs created one after another as the dispatcher hands a burst over. No UWS row, no HTTP, no container.
/// Twice: methods that return at once (Hangfire's cost with nothing in the way), and methods that take about as long
/// as a trivial job holds a slot at 4 slots (the pace of the execution scenario's rounds, where each wake-up costs
/// more). The execution scenario's jobs pay this on top of their container: it is the part of their CPU above the
/// direct Docker.DotNet loop that this service cannot remove while it runs on Hangfire.
/// </summary>
public static class HangfireScenario
{
    const int Workers = 4;

    public static async Task RunAsync(BenchDatabase db, BenchOptions options, Report report)
    {
        var settings = new HangfireOptions();
        await using (var connection = new NpgsqlConnection(db.ConnectionString))
        {
            await connection.OpenAsync();
            PostgreSqlObjectsInstaller.Install(connection, settings.SchemaName);
        }
        // Hangfire logs through a process-wide provider, which the execution scenario's servers (run before this in
        // the same process) left pointing at their disposed LoggerFactory: a fetch logs, so it needs a live one.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(new Hangfire.AspNetCore.AspNetCoreLogProvider(NullLoggerFactory.Instance));
        HangfireExecution.RemoveUnusedFilters();
        // The server's pools: with its additions to the connection string (automatic preparation).
        var storage = HangfireExecution.CreateStorage(PostgresConnectionStrings.WithServerDefaults(db.ConnectionString), settings);
        var client = new BackgroundJobClient(storage);
        using var server = new BackgroundJobServer(new BackgroundJobServerOptions
        {
            WorkerCount = Workers,
            // Not JobActivator.Current: the execution scenario's servers set that to their own, disposed, providers.
            Activator = new JobActivator(),
            Queues = [UwsJobRun.Queue],
            SchedulePollingInterval = settings.SchedulePollingInterval,
            CancellationCheckInterval = settings.CancellationCheckInterval,
            HeartbeatInterval = settings.HeartbeatInterval,
            ServerTimeout = settings.ServerTimeout,
            ServerCheckInterval = settings.ServerTimeout / 2,
        }, storage);

        var monitoring = storage.GetMonitoringApi();
        long succeeded = 0;
        // One round: n Hangfire jobs created one after another, as the dispatcher hands a burst of QUEUED jobs over,
        // then waited for until all are Succeeded. The jobs' methods signal their end, so the few looks at the
        // Succeeded count come only after the last method has returned.
        async Task<double> RoundAsync(int n, TimeSpan runTime)
        {
            var t0 = Stopwatch.GetTimestamp();
            HangfireNoOp.Expect(n, runTime);
            for (var i = 0; i < n; i++)
            {
                var id = BenchDatabase.NewJobId();
                client.Create(() => HangfireNoOp.RunAsync(id, "bench"), new EnqueuedState(UwsJobRun.Queue));
            }
            succeeded += n;
            await HangfireNoOp.AllRanAsync(TimeSpan.FromMinutes(2));
            while (monitoring.SucceededListCount() < succeeded)
            {
                if (monitoring.FailedCount() > 0)
                {
                    throw new InvalidOperationException("A Hangfire job of the benchmark failed: see the hangfire.state rows of the database.");
                }
                await Task.Delay(TimeSpan.FromMilliseconds(20));
            }
            return Stats.Ms(t0, Stopwatch.GetTimestamp()) / 1000;
        }

        async Task WarmUpAsync(int n, TimeSpan runTime, string what)
        {
            Console.Error.WriteLine($"hangfire: {options.WarmupRounds} warm-up round(s), then {options.ThroughputRounds} round(s) of {n} jobs, {Workers} workers, {what}");
            for (var i = 0; i < options.WarmupRounds; i++)
            {
                await RoundAsync(n, runTime);
            }
        }

        async Task<(CpuMeter.Sample Cpu, List<double> Rates, double Seconds)> MeasureAsync(int n, TimeSpan runTime, string what)
        {
            var cpu = CpuMeter.Zero;
            var rates = new List<double>();
            var seconds = 0.0;
            for (var i = 0; i < Math.Max(1, options.ThroughputRounds); i++)
            {
                var before = CpuMeter.Take();
                var roundSeconds = await RoundAsync(n, runTime);
                cpu = CpuMeter.Plus(cpu, before, CpuMeter.Take());
                rates.Add(n / roundSeconds);
                seconds += roundSeconds;
            }
            report.Add("hangfire", $"jobs/s, {Workers} workers, {what} (rounds of {n})", string.Join(", ", rates.Select(r => Report.Num(r, "0.0"))));
            return (cpu, rates, seconds);
        }
        const string Steps = "create, fetch, Processing, Succeeded, removal from the queue";

        // Back to back: what Hangfire's part costs with nothing else in the way.
        var burst = "methods that return at once";
        await WarmUpAsync(options.Containers * 5, TimeSpan.Zero, burst);
        var (burstCpu, burstRates, _) = await MeasureAsync(options.Containers * 5, TimeSpan.Zero, burst);
        report.Add("hangfire", $"CPU per job, {burst} ({Steps})",
            CpuMeter.PerUnit(CpuMeter.Zero, burstCpu, options.Containers * 5 * burstRates.Count, "job", "0.0") + ", all rounds");

        // At a trivial container's pace, as in the execution scenario's 4-slot rounds. The background (idle workers
        // polling the queue, heartbeats, the schedulers), measured while nothing runs before and after, is taken
        // out: the execution scenario's direct loop pays it too. Measured after the warm-up, so the JIT is quiet.
        var paced = $"methods that take {ContainerTime.TotalMilliseconds:0} ms, about a trivial container's time";
        await WarmUpAsync(options.Containers, ContainerTime, paced);
        var idle = await IdleAsync();
        var (pacedCpu, pacedRates, pacedSeconds) = await MeasureAsync(options.Containers, ContainerTime, paced);
        idle = CpuMeter.Plus(idle, CpuMeter.Zero, await IdleAsync());
        report.Add("hangfire", "CPU while idle, per second (before and after the paced rounds)", CpuMeter.PerUnit(CpuMeter.Zero, idle, 2 * IdleSeconds, "s", "0.0"));
        report.Add("hangfire", $"CPU per job, {paced} ({Steps}), idle background taken out",
            CpuMeter.PerUnit(CpuMeter.Zero, CpuMeter.Minus(pacedCpu, idle, pacedSeconds / (2 * IdleSeconds)), options.Containers * pacedRates.Count, "job", "0.0") +
            ", all rounds");
    }

    const int IdleSeconds = 10;

    static async Task<CpuMeter.Sample> IdleAsync()
    {
        var before = CpuMeter.Take();
        await Task.Delay(TimeSpan.FromSeconds(IdleSeconds));
        return CpuMeter.Plus(CpuMeter.Zero, before, CpuMeter.Take());
    }

    /// <summary>About how long a trivial job holds a slot at 4 slots here (40 jobs in about 4 s in the execution scenario).</summary>
    static readonly TimeSpan ContainerTime = TimeSpan.FromMilliseconds(400);
}

/// <summary>The measured job: the signature of <see cref="UwsJobRun.RunAsync"/>, and no work but a wait.</summary>
public static class HangfireNoOp
{
    static TimeSpan runTime;
    static int left;
    static TaskCompletionSource allRan = new();

    internal static void Expect(int jobs, TimeSpan time)
    {
        runTime = time;
        left = jobs;
        allRan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    internal static async Task AllRanAsync(TimeSpan timeout)
    {
        try
        {
            await allRan.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Hangfire left {Volatile.Read(ref left)} job(s) of the round unrun after {timeout}.");
        }
    }

    [AutomaticRetry(Attempts = 0)]
    public static async Task<string> RunAsync(string jobId, string owner)
    {
        if (runTime > TimeSpan.Zero)
        {
            await Task.Delay(runTime);
        }
        if (Interlocked.Decrement(ref left) == 0)
        {
            allRan.TrySetResult();
        }
        return jobId + owner;
    }
}
