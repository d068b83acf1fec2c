// `ep plan` across many planners against the slowest single planner (issue 12: at most 1.5x).
// Starts real servers of ours in this process, each with its own fresh PostgreSQL database, listening on
// several loopback ports each (30 planners = 10 instances x 3 ports by default): 30 instances would hold
// ~90 connections of a PostgreSQL shared with other work (max_connections is 100 here), so the ports
// of one instance share its ledger (and its lock). Then per round:
//   single:    `ep plan --service URL` for each planner alone, one after another: the slowest of them;
//   federated: `ep plan --services FILE` with all N: the whole command, start to exit.
// Timed as the command a person runs (parse, ask, print the table, exit), twice: with --keep (the answer:
// the table, then exit) and as by default (the table, then every offer released with a REJECTED), for the
// single planners and the federation alike. A third, untimed run with --json checks that all N said YES
// and reports the slowest answer inside the federated run (the planners' own share of the time).
// With latency-ms > 0 every planner answer is held back that long before the planner starts on it, as
// the network between a user and a remote planner would (loopback answers in microseconds; a regional
// centre does not), so that the planners' CPU work, which here shares 2 cores, is not the only cost.
// Usage: dotnet run -c Release --project bench/ExecutionPlanner.CliBench [planners=30] [rounds=5] [instances=10] [latency-ms=0]
// EP_TEST_POSTGRES names an admin connection (default: the local socket as the current user).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ExecutionPlanner.Cli;
using ExecutionPlanner.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Spectre.Console;

namespace ExecutionPlanner.CliBench;

internal static class CliBench
{
    static readonly string[] TaskArgs =
    [
        "--image", "executionplanner/busybox:1", "--cmd", "echo", "--cmd", "hi", "--cores", "1-2", "--memory", "1-2", "--duration", "PT10M",
    ];

    public static async Task<int> Main(string[] args)
    {
        var planners = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var instances = Math.Min(planners, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10);
        var latency = TimeSpan.FromMilliseconds(args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0);
        var admin = Environment.GetEnvironmentVariable("EP_TEST_POSTGRES") ?? $"Host=/var/run/postgresql;Database=postgres;Username={Environment.UserName}";
        var databases = new List<string>();
        var apps = new List<WebApplication>();
        var folder = Directory.CreateTempSubdirectory("ep-clibench-").FullName;
        try
        {
            await Console.Error.WriteLineAsync($"starting {planners} planners on {instances} instances (a database each)…");
            Console.WriteLine($"{planners} planners on {instances} instances, added latency {latency.TotalMilliseconds} ms per request");
            Console.WriteLine();
            var urls = new List<string>();
            for (var i = 0; i < instances; i++)
            {
                var ports = (planners / instances) + (i < planners % instances ? 1 : 0);
                var name = $"ep_bench_{Guid.NewGuid():N}"[..24];
                await using (var connection = new NpgsqlConnection(admin))
                {
                    await connection.OpenAsync();
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                    await create.ExecuteNonQueryAsync();
                }
                databases.Add(name);
                var app = ExecutionPlannerApp.Build(["--urls", string.Join(';', Enumerable.Repeat("http://127.0.0.1:0", ports))], builder =>
                {
                    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                    {
                        ["ConnectionStrings:ExecutionPlanner"] = new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = 2 }.ConnectionString,
                        ["Auth:AllowAnonymous"] = "true",
                        ["Execution:Enabled"] = "false",
                        ["Planner:PlatformCores"] = "4096",
                        ["Planner:PlatformMemory"] = "16384Gi",
                        ["Logging:LogLevel:Default"] = "Warning",
                    });
                    builder.Services.AddSingleton<IStartupFilter>(new NetworkLatency(latency));
                });
                await app.StartAsync();
                apps.Add(app);
                urls.AddRange(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses);
            }
            var services = Path.Combine(folder, "services.txt");
            await File.WriteAllLinesAsync(services, urls);

            // Warm-up: JIT, connection pools and each planner's first (full) ledger read.
            await Console.Error.WriteLineAsync("warming up…");
            for (var i = 0; i < 3; i++)
            {
                await PlanAsync(["--services", services]);
            }
            foreach (var url in urls)
            {
                await PlanAsync(["--service", url]);
            }

            if (urls.Count != planners)
            {
                throw new InvalidOperationException($"{urls.Count} addresses for {planners} planners");
            }
            Console.WriteLine($"| round | slowest single, --keep (ms) | ep plan across {planners}, --keep (ms) | ratio | slowest single, releasing (ms) | across {planners}, releasing (ms) | ratio | median single, --keep (ms) | slowest answer inside the federated run (ms) |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
            var keptRatios = new List<double>();
            var releasedRatios = new List<double>();
            for (var r = 1; r <= rounds; r++)
            {
                var kept = new List<double>();
                var released = new List<double>();
                foreach (var url in urls)
                {
                    kept.Add((await PlanAsync(["--service", url, "--keep"])).Milliseconds);
                    released.Add((await PlanAsync(["--service", url])).Milliseconds);
                }
                var (allKept, _) = await PlanAsync(["--services", services, "--keep"]);
                var (allReleased, _) = await PlanAsync(["--services", services]);
                var (_, json) = await PlanAsync(["--services", services, "--json"]);
                var answers = JsonNode.Parse(json)!["services"]!.AsArray();
                var yes = answers.Count(a => a!["answer"]!.GetValue<string>() == "YES");
                if (yes != planners)
                {
                    throw new InvalidOperationException($"only {yes} of {planners} planners said YES:\n{json}");
                }
                var slowestInside = answers.Max(a => a!["elapsedMs"]!.GetValue<double>());
                kept.Sort();
                released.Sort();
                keptRatios.Add(allKept / kept[^1]);
                releasedRatios.Add(allReleased / released[^1]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {r} | {kept[^1]:0.0} | {allKept:0.0} | {allKept / kept[^1]:0.00} | {released[^1]:0.0} | {allReleased:0.0} | {allReleased / released[^1]:0.00} | {kept[kept.Count / 2]:0.0} | {slowestInside:0.0} |"));
            }
            keptRatios.Sort();
            releasedRatios.Sort();
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"median ratio to the slowest single planner: {keptRatios[keptRatios.Count / 2]:0.00} with --keep (worst {keptRatios[^1]:0.00}), {releasedRatios[releasedRatios.Count / 2]:0.00} releasing the offers (worst {releasedRatios[^1]:0.00}); target: at most 1.50"));
            return 0;
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            foreach (var name in databases)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
            }
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Holds every planner request back by a fixed time before the server sees it (a network in between).</summary>
    sealed class NetworkLatency(TimeSpan latency) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            if (latency > TimeSpan.Zero)
            {
                app.Use(async (context, following) =>
                {
                    await Task.Delay(latency, context.RequestAborted);
                    await following(context);
                });
            }
            next(app);
        };
    }

    /// <summary>One whole `ep plan` as a user runs it (in this process); its time and what it printed.</summary>
    static async Task<(double Milliseconds, string Out)> PlanAsync(string[] services)
    {
        using var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        // A terminal-sized table (the default for a redirected console is 80 columns, which wraps every row).
        console.Profile.Width = 200;
        var context = new CliContext { Out = console, Error = TextWriter.Null, Environment = _ => null };
        var watch = Stopwatch.StartNew();
        var code = await EpApp.RunAsync(["plan", .. TaskArgs, .. services], context, CancellationToken.None);
        var elapsed = watch.Elapsed.TotalMilliseconds;
        if (code != 0)
        {
            throw new InvalidOperationException($"ep plan ended with {code}:\n{output}");
        }
        return (elapsed, output.ToString());
    }
}
