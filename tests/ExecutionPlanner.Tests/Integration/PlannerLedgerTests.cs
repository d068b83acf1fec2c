using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.PlannerClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// The capacity ledger on a small platform (4 cores, 8 GiB): each test has a database and a server of
/// its own, because the ledger counts everything in its database.
/// </summary>
[Category("PostgreSQL")]
[Parallelizable(ParallelScope.Children)]
public sealed class PlannerLedgerTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    static async Task<(PrivateDatabase, UwsTestServer)> StartAsync(string offerLifetime = "00:05:00")
    {
        var database = await PrivateDatabase.CreateAsync();
        var server = await database.StartServerAsync(new Dictionary<string, string?>
        {
            ["Planner:PlatformCores"] = "4",
            ["Planner:PlatformMemory"] = "8Gi",
            ["Planner:OfferLifetime"] = offerLifetime,
            // These tests fill the platform with one owner's offers on purpose (PlannerFairnessTests tests the cap).
            ["Planner:OwnerOfferShare"] = "100",
            ["Planner:SweepInterval"] = "00:00:00.200",
        });
        return (database, server);
    }

    static JsonObject WholePlatform() => DockerTask(coresMin: 4, coresMax: 4, memoryMin: 4, memoryMax: 4, duration: "PT1H");

    [Test]
    public async Task A_busy_ledger_moves_offered_start_times_later()
    {
        var (database, server) = await StartAsync();
        await using var _ = database;
        await using var __ = server;
        using var client = server.NewOwner();

        var first = await client.AskAsync(WholePlatform());
        var firstStart = StartOf(Offers(first)[0]!);
        await client.AcceptAsync(Href(Offers(first)[0]));

        var second = await client.AskAsync(WholePlatform());
        Assert.That(second["result"]!.GetValue<string>(), Is.EqualTo("YES"), second.ToJsonString());
        Assert.That(StartOf(Offers(second)[0]!), Is.GreaterThanOrEqualTo(firstStart + TimeSpan.FromHours(1)),
            "the whole platform is booked for the first hour");

        // A small task still fits beside nothing: the accepted job holds all 4 cores for an hour.
        var small = await client.AskAsync(DockerTask(coresMin: 1, coresMax: 1, memoryMin: 1, memoryMax: 1, duration: "PT10M"));
        Assert.That(StartOf(Offers(small)[0]!), Is.GreaterThanOrEqualTo(firstStart + TimeSpan.FromHours(1)));
    }

    [Test]
    public async Task A_task_that_fits_nowhere_in_its_window_gets_no_with_the_reason()
    {
        var (database, server) = await StartAsync();
        await using var _ = database;
        await using var __ = server;
        using var client = server.NewOwner();
        var first = await client.AskAsync(WholePlatform());
        await client.AcceptAsync(Href(Offers(first)[0]));

        var now = TimeProvider.System.GetUtcNow();
        var task = WholePlatform();
        task["schedule"]!["requested"]!["start"] = $"{now:yyyy-MM-ddTHH:mm:ss}Z/PT30M";
        var set = await client.AskAsync(task);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("NO"));
        var reason = set["reasons"]!.AsArray().Single()!;
        Assert.That(reason["path"]!.GetValue<string>(), Is.EqualTo("/schedule/requested/start"));
        Assert.That(reason["text"]!.GetValue<string>(), Does.Contain("No start between").And.Contain("4 cores"));
    }

    [Test]
    public async Task An_expired_offer_cannot_be_accepted_and_its_capacity_is_free_again()
    {
        var (database, server) = await StartAsync(offerLifetime: "00:00:02");
        await using var _ = database;
        await using var __ = server;
        using var client = server.NewOwner();

        var first = await client.AskAsync(WholePlatform());
        var firstStart = StartOf(Offers(first)[0]!);
        var busy = await client.AskAsync(WholePlatform());
        Assert.That(StartOf(Offers(busy)[0]!), Is.GreaterThan(firstStart + TimeSpan.FromMinutes(59)), "open offers hold capacity");

        var offer = Href(Offers(first)[0]);
        var clock = Stopwatch.StartNew();
        while ((await client.GetOfferAsync(offer))["phase"]!.GetValue<string>() != "EXPIRED")
        {
            Assert.That(clock.Elapsed, Is.LessThan(Deadline), "the offer never expired");
            await Task.Yield();
        }
        var (status, _, body) = await client.SetOfferPhaseAsync(offer, "ACCEPTED");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(body, Does.Contain("EXPIRED"));

        // Every offer made so far has expired (same lifetime): the platform is free now.
        JsonObject again;
        do
        {
            Assert.That(clock.Elapsed, Is.LessThan(Deadline), "the capacity never came free");
            again = await client.AskAsync(WholePlatform());
        }
        while (StartOf(Offers(again)[0]!) > TimeProvider.System.GetUtcNow() + TimeSpan.FromMinutes(1));
        Assert.That(StartOf(Offers(again)[0]!), Is.LessThan(firstStart + TimeSpan.FromMinutes(59)));
    }
}
