// Planner benchmark: POST /planner/offersets against a ledger holding 10,000 open offers and 2,000
// accepted bookings (HELD jobs), on the real server and a fresh PostgreSQL database.
// Usage: dotnet run -c Release --project bench/ExecutionPlanner.PlannerBench [requests] [concurrency]
// EP_TEST_POSTGRES names an admin connection (default: the local socket as the current user).
using System.Diagnostics;
using System.Globalization;
using System.Text;
using ExecutionPlanner.Server;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
const int OpenOffers = 10_000;
const int AcceptedBookings = 2_000;

var admin = Environment.GetEnvironmentVariable("EP_TEST_POSTGRES")
    ?? $"Host=/var/run/postgresql;Database=postgres;Username={Environment.UserName}";
var name = $"ep_bench_{Guid.NewGuid():N}"[..24];
await using (var connection = new NpgsqlConnection(admin))
{
    await connection.OpenAsync();
    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
    await create.ExecuteNonQueryAsync();
}
var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
try
{
    var app = ExecutionPlannerApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:ExecutionPlanner"] = connectionString,
            ["Auth:AllowAnonymous"] = "true",
            ["Execution:Enabled"] = "false",
            ["Planner:PlatformCores"] = "1024",
            ["Planner:PlatformMemory"] = "4096Gi",
            // The seeded offers are the anonymous caller's: about 20 platforms' worth. The cap is set
            // beyond them so every answer is YES, while the cap's sum over those rows still runs on each booking.
            ["Planner:AnonymousOfferShare"] = "1000",
            ["Logging:LogLevel:Default"] = "Warning",
        }));
    await app.StartAsync();
    var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    await SeedAsync(connectionString);
    Console.WriteLine($"ledger: {OpenOffers} open offers, {AcceptedBookings} accepted bookings (HELD jobs) over the next 6 days, on 1024 cores / 4096 GiB; every answer adds up to 3 more open offers");

    using var http = new HttpClient { BaseAddress = new Uri(address) };
    var body = """
        {"executable": {"kind": "https://www.purl.org/ivoa.net/EB/schema/v1.0/types/executable/docker-container-1.0",
                        "image": "executionplanner/busybox:1", "command": ["echo", "hi"]},
         "compute": {"cores": {"min": 1, "max": 4}, "memory": {"min": 1, "max": 4}},
         "schedule": {"requested": {"start": "START/P6D", "duration": "PT1H"}}}
        """;
    var sent = 0;
    async Task<double> PostOnceAsync()
    {
        Interlocked.Increment(ref sent);
        var now = TimeProvider.System.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        using var content = new StringContent(body.Replace("START", now, StringComparison.Ordinal), Encoding.UTF8, "application/json");
        var watch = Stopwatch.StartNew();
        using var response = await http.PostAsync("/planner/offersets", content);
        var text = await response.Content.ReadAsStringAsync();
        var elapsed = watch.Elapsed.TotalMilliseconds;
        if (!response.IsSuccessStatusCode || !text.Contains("\"result\":\"YES\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"unexpected answer after {Volatile.Read(ref sent)} requests {(int)response.StatusCode}: {text}");
        }
        return elapsed;
    }

    for (var i = 0; i < 100; i++)
    {
        await PostOnceAsync();
    }
    var latencies = new List<double>(requests);
    var total = Stopwatch.StartNew();
    var next = 0;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) <= requests)
        {
            var ms = await PostOnceAsync();
            lock (latencies)
            {
                latencies.Add(ms);
            }
        }
    }));
    total.Stop();
    latencies.Sort();
    double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{requests} offer sets, concurrency {concurrency}: {requests / total.Elapsed.TotalSeconds:F0} offer sets/s, " +
        $"median {Percentile(0.5):F2} ms, p95 {Percentile(0.95):F2} ms, p99 {Percentile(0.99):F2} ms, max {latencies[^1]:F2} ms " +
        $"(target p95 < 20 ms: {(Percentile(0.95) < 20 ? "met" : "NOT met")})"));
    await app.StopAsync();
    await app.DisposeAsync();
}
finally
{
    NpgsqlConnection.ClearAllPools();
    await using var connection = new NpgsqlConnection(admin);
    await connection.OpenAsync();
    await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
    await drop.ExecuteNonQueryAsync();
}

static async Task SeedAsync(string connectionString)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    // Seeded rows are only charged by the ledger, never read back as offers, so the task is left empty.
    await using var seed = new NpgsqlCommand($"""
        INSERT INTO offer_sets (id, owner_id, created, expires, reasons, task)
        VALUES ('bench', '', now(), now() + interval '1 day', '[]', jsonb_build_object());
        INSERT INTO offers (id, offer_set_id, ordinal, owner_id, phase, created, expires, start_time, start_latest,
                            duration_seconds, cores, memory_bytes)
        SELECT 'open-' || i, 'bench', i, '', 'OFFERED', now(), now() + interval '1 day',
               now() + (i * interval '6 days' / {OpenOffers}), now() + (i * interval '6 days' / {OpenOffers}) + interval '1 minute',
               3600, 2, 2147483648
          FROM generate_series(1, {OpenOffers}) AS i;
        INSERT INTO jobs (id, owner_id, phase, phase_changed_at, creation_time, execution_duration, destruction, parameters)
        SELECT 'held-' || i, '', 'HELD', now(), now(), 3600, now() + interval '30 days', '[]'
          FROM generate_series(1, {AcceptedBookings}) AS i;
        INSERT INTO offers (id, offer_set_id, ordinal, owner_id, phase, created, expires, start_time, start_latest,
                            duration_seconds, cores, memory_bytes, job_id)
        SELECT 'accepted-' || i, 'bench', {OpenOffers} + i, '', 'ACCEPTED', now(), now() + interval '1 day',
               now() + interval '1 hour' + (i * interval '6 days' / {AcceptedBookings}),
               now() + interval '1 hour' + (i * interval '6 days' / {AcceptedBookings}) + interval '1 minute',
               3600, 4, 4294967296, 'held-' || i
          FROM generate_series(1, {AcceptedBookings}) AS i;
        ANALYZE offers; ANALYZE jobs;
        """, connection);
    await seed.ExecuteNonQueryAsync();
}
