using System.Runtime.InteropServices;
using ExecutionPlanner.Bench;

// ExecutionPlanner benchmark: starts the real server on a loopback port against a fresh PostgreSQL
// database, runs the chosen scenarios, prints the figures as Markdown, drops the database.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

// The in-process servers' hosts take SIGTERM as a graceful stop of themselves alone, so a killed run went on (and a
// hung one idled beside later runs). SIGTERM ends the whole run at once; its database is left (BenchDatabase names it).
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Environment.Exit(143));

var report = new Report();
report.Machine("Command", "bench/run.sh " + string.Join(' ', args));
report.Machine("CPUs (nproc)", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
report.Machine("CPU", MachineInfo.CpuModel());
report.Machine("Memory", MachineInfo.Memory());
report.Machine("OS", RuntimeInformation.OSDescription);
report.Machine(".NET", RuntimeInformation.FrameworkDescription + (MachineInfo.IsServerGc ? ", server GC" : ", workstation GC"));

await using var db = await BenchDatabase.CreateAsync(options.Database, options.Keep);
Console.Error.WriteLine($"database {db.Name}");
report.Machine("PostgreSQL", await db.ScalarAsync<string>("SHOW server_version") + " (" + MachineInfo.Where(db.ConnectionString) + ")");
report.Machine("Server pool (Maximum Pool Size)", options.PoolSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
report.Machine("Set-up", "server and load generator in one process, HTTP/1.1 over 127.0.0.1");

if (options.RunsAnyOf(BenchOptions.All))
{
    await using var server = await BenchServer.StartAsync(db.ConnectionString, options.PoolSize);
    Console.Error.WriteLine($"server at {server.BaseAddress}");
    if (options.Runs("create"))
    {
        await CreateScenario.RunAsync(server, options, report);
    }
    if (options.Runs("dbceiling"))
    {
        await DbCeilingScenario.RunAsync(db, options, report);
    }
    if (options.Runs("read"))
    {
        await ReadScenario.RunAsync(server, db, options, report);
    }
    if (options.Runs("wait"))
    {
        await WaitScenario.RunAsync(server, db, options, report);
    }
}

// Needs dockerd and the job image; starts its own servers (Execution:Enabled=true), one per slot count.
if (options.Runs("execution"))
{
    await ExecutionScenario.RunAsync(db, options, report);
}

// Hangfire alone, with the server's storage options: the floor of a job's cost above its container.
if (options.Runs("hangfire"))
{
    await HangfireScenario.RunAsync(db, options, report);
}

// Starts two server processes of its own on the same database.
if (options.Runs("sse"))
{
    await SseScenario.RunAsync(db, options, report);
}

Console.WriteLine(report.ToMarkdown());
return 0;
