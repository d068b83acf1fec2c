using System.Diagnostics;

namespace ExecutionPlanner.Bench;

/// <summary>
/// N workers (the operation gets the worker's index) each repeating one operation back to back for warm-up + duration; only operations
/// started inside the measured window count.
/// </summary>
public static class ClosedLoop
{
    public sealed record Result(int Completed, int Failures, double PerSecond, Stats Latency);

    public static async Task<Result> RunAsync(int workers, TimeSpan warmup, TimeSpan duration, Func<int, CancellationToken, Task<bool>> operation)
    {
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        using var cts = new CancellationTokenSource(warmup + duration + TimeSpan.FromSeconds(60));
        var latencies = new List<double>[workers];
        var failures = new int[workers];
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<double>(100_000);
            while (true)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (t0 >= measureTo)
                {
                    break;
                }
                var ok = await operation(w, cts.Token);
                var t1 = Stopwatch.GetTimestamp();
                if (t0 >= measureFrom)
                {
                    mine.Add(Stats.Ms(t0, t1));
                    if (!ok)
                    {
                        failures[w]++;
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        var all = latencies.SelectMany(l => l).ToList();
        var failed = failures.Sum();
        return new Result(all.Count, failed, (all.Count - failed) / duration.TotalSeconds, Stats.Of(all));
    }
}
