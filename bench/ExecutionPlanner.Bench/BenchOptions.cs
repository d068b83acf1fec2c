using System.Globalization;

namespace ExecutionPlanner.Bench;

/// <summary>Command line: [create|read|wait|dbceiling|all|execution|sse|hangfire] [--duration 10] [--warmup 2] [--database name] [--keep] [--jobs 100000] [--waiters 1000] [--requests 2000].</summary>
public sealed class BenchOptions
{
    public HashSet<string> Scenarios { get; } = new(StringComparer.OrdinalIgnoreCase);

    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(2);

    public string? Database { get; private set; }

    public bool Keep { get; private set; }

    public int Jobs { get; private set; } = 100_000;

    public int Waiters { get; private set; } = 1000;

    public int Requests { get; private set; } = 2000;

    /// <summary>sse: jobs changed per round.</summary>
    public int SseJobs { get; private set; } = 1000;

    /// <summary>execution: measured latency runs per method (after <see cref="WarmupRuns"/>).</summary>
    public int LatencyRuns { get; private set; } = 20;

    public int WarmupRuns { get; private set; } = 2;

    /// <summary>
    /// execution: unmeasured throughput rounds (the same jobs and direct runs) before the measured one. A fresh
    /// process spends its first minute JIT-compiling hot methods again at tier 1; a round lets that settle for both.
    /// </summary>
    public int WarmupRounds { get; private set; } = 1;

    /// <summary>
    /// execution: measured pairs of throughput rounds (jobs, then the direct loop). The machine is shared, and
    /// other work moves between one round and the next; the ratio of each adjacent pair and their median hold up better
    /// than one pair.
    /// </summary>
    public int ThroughputRounds { get; private set; } = 3;

    /// <summary>execution: containers per throughput round.</summary>
    public int Containers { get; private set; } = 40;

    /// <summary>execution: the slot counts (and docker concurrencies) of the throughput rounds.</summary>
    public int[] Slots { get; private set; } = [1, 2, 4];

    /// <summary>Npgsql pool of the server (PostgreSQL's default max_connections is 100).</summary>
    public int PoolSize { get; private set; } = 80;

    public static readonly string[] All = ["create", "dbceiling", "read", "wait"];

    /// <summary>Scenarios that need more than PostgreSQL (dockerd and the job image); not part of "all".</summary>
    public static readonly string[] Separate = ["execution", "sse", "hangfire"];

    public const string Usage =
        "usage: ExecutionPlanner.Bench [create|dbceiling|read|wait|all|execution|sse|hangfire]... [--duration s] [--warmup s] [--database name] [--keep] " +
        "[--jobs n] [--waiters n] [--requests n] [--sse-jobs n] [--pool-size n] [--runs n] [--warmup-runs n] [--warmup-rounds n] [--throughput-rounds n] [--containers n] [--slots 1,2,4]";

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value. {Usage}");
            switch (args[i])
            {
                case "--duration": o.Duration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--warmup": o.Warmup = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--database": o.Database = Next(); break;
                case "--keep": o.Keep = true; break;
                case "--jobs": o.Jobs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--waiters": o.Waiters = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--sse-jobs": o.SseJobs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--requests": o.Requests = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--pool-size": o.PoolSize = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--runs": o.LatencyRuns = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--warmup-runs": o.WarmupRuns = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--warmup-rounds": o.WarmupRounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--throughput-rounds": o.ThroughputRounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--containers": o.Containers = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--slots": o.Slots = [.. Next().Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))]; break;
                case "all": o.Scenarios.UnionWith(All); break;
                case "-h" or "--help": Console.WriteLine(Usage); Environment.Exit(0); break;
                default:
                    if (All.Contains(args[i], StringComparer.OrdinalIgnoreCase) || Separate.Contains(args[i], StringComparer.OrdinalIgnoreCase))
                    {
                        o.Scenarios.Add(args[i]);
                        break;
                    }
                    throw new ArgumentException($"Unknown argument '{args[i]}'. {Usage}");
            }
        }
        if (o.Scenarios.Count == 0)
        {
            o.Scenarios.UnionWith(All);
        }
        if (o.Database is { } db && !System.Text.RegularExpressions.Regex.IsMatch(db, "^[a-z_][a-z0-9_]{0,62}$"))
        {
            throw new ArgumentException("--database: lower-case letters, digits and underscores only.");
        }
        return o;
    }

    public bool Runs(string scenario) => Scenarios.Contains(scenario);

    /// <summary>Whether any scenario that uses the shared HTTP server (execution-off) is chosen.</summary>
    public bool RunsAnyOf(IEnumerable<string> scenarios) => scenarios.Any(Scenarios.Contains);
}
