using System.Globalization;

namespace ExecutionPlanner.Bench;

/// <summary>Command line: [create|read|wait|dbceiling|all] [--duration 10] [--warmup 2] [--database name] [--keep] [--jobs 100000] [--waiters 1000] [--requests 2000].</summary>
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

    /// <summary>Npgsql pool of the server (PostgreSQL's default max_connections is 100).</summary>
    public int PoolSize { get; private set; } = 80;

    public static readonly string[] All = ["create", "dbceiling", "read", "wait"];

    public const string Usage =
        "usage: ExecutionPlanner.Bench [create|dbceiling|read|wait|all]... [--duration s] [--warmup s] [--database name] [--keep] " +
        "[--jobs n] [--waiters n] [--requests n] [--pool-size n]";

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
                case "--requests": o.Requests = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--pool-size": o.PoolSize = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "all": o.Scenarios.UnionWith(All); break;
                case "-h" or "--help": Console.WriteLine(Usage); Environment.Exit(0); break;
                default:
                    if (All.Contains(args[i], StringComparer.OrdinalIgnoreCase))
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
}
