using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using ExecutionPlanner.Server.Planner;
using ExecutionPlanner.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static ExecutionPlanner.Tests.Support.PlannerClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// Two server processes' worth of planner (two hosts, each with its own in-memory ledger) on one
/// database and a small platform (4 cores, 8 GiB): what one node books, accepts, rejects, ends or
/// deletes changes what the other offers. Each test warms both nodes first, so the other node sees
/// the change as a change read on top of its copy, not in a first whole read.
/// </summary>
[Category("PostgreSQL")]
[Parallelizable(ParallelScope.Children)]
public sealed class PlannerClusterTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    sealed class Cluster : IAsyncDisposable
    {
        public required PrivateDatabase Database { get; init; }
        public required UwsTestServer A { get; init; }
        public required UwsTestServer B { get; init; }

        /// <summary>One owner's client on each node, both warmed (see <see cref="WarmAsync"/>).</summary>
        public required HttpClient OwnerA { get; init; }
        public required HttpClient OwnerB { get; init; }

        public (long A, long B) WholeReads =>
            (A.Services.GetRequiredService<LedgerCache>().WholeReads, B.Services.GetRequiredService<LedgerCache>().WholeReads);

        public async ValueTask DisposeAsync()
        {
            OwnerA.Dispose();
            OwnerB.Dispose();
            await A.DisposeAsync();
            await B.DisposeAsync();
            await Database.DisposeAsync();
        }
    }

    /// <summary>Both nodes on a fresh database, each with one owner's client, warmed.</summary>
    static async Task<Cluster> StartAsync(string offerLifetime = "00:05:00", string sweepInterval = "00:00:00.200")
    {
        var database = await PrivateDatabase.CreateAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Planner:PlatformCores"] = "4",
            ["Planner:PlatformMemory"] = "8Gi",
            ["Planner:OfferLifetime"] = offerLifetime,
            // These tests fill the platform with one owner's offers on purpose (PlannerFairnessTests tests the cap).
            ["Planner:OwnerOfferShare"] = "100",
            ["Planner:SweepInterval"] = sweepInterval,
        };
        // One after the other: the first migrates the database.
        var a = await database.StartServerAsync(settings);
        var b = await database.StartServerAsync(settings);
        var cluster = new Cluster { Database = database, A = a, B = b, OwnerA = a.NewOwner(), OwnerB = b.NewOwner() };
        try
        {
            await WarmAsync(cluster.OwnerA);
            await WarmAsync(cluster.OwnerB);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    static JsonObject WholePlatform(string duration = "PT1H") => DockerTask(coresMin: 4, coresMax: 4, memoryMin: 4, memoryMax: 4, duration: duration);

    /// <summary>Books on the node and declines what it got, so its ledger is in memory and holds nothing of this test's.</summary>
    static async Task WarmAsync(HttpClient node)
    {
        var set = await node.AskAsync(WholePlatform());
        await RejectAllAsync(node, set);
    }

    /// <summary>
    /// A accepts an offer of the whole platform (its job holds the first hour), and B's next answer shows the
    /// charge; B's offers are rejected again so they hold nothing.
    /// </summary>
    static async Task<(string Job, DateTimeOffset Start)> JobHoldingThePlatformAsync(HttpClient a, HttpClient b)
    {
        var set = await a.AskAsync(WholePlatform());
        var start = FirstStart(set);
        var job = JobIdOf(await a.AcceptAsync(Href(Offers(set)[0])));
        var busy = await b.AskAsync(WholePlatform());
        Assert.That(FirstStart(busy), Is.GreaterThanOrEqualTo(start + TimeSpan.FromHours(1)), "B charges A's job");
        await RejectAllAsync(b, busy);
        return (job, start);
    }

    static async Task RejectAllAsync(HttpClient node, JsonObject set)
    {
        foreach (var offer in Offers(set))
        {
            var (status, _, body) = await node.SetOfferPhaseAsync(Href(offer), "REJECTED");
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        }
    }

    static DateTimeOffset FirstStart(JsonObject set)
    {
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("YES"), set.ToJsonString());
        return StartOf(Offers(set)[0]!);
    }

    static string JobIdOf(JsonObject acceptedOffer) => new Uri(acceptedOffer["job"]!.GetValue<string>()).Segments[^1];

    [Test]
    public async Task An_offer_made_on_one_node_holds_capacity_on_the_other()
    {
        await using var cluster = await StartAsync();
        var (a, b) = (cluster.OwnerA, cluster.OwnerB);

        var first = FirstStart(await a.AskAsync(WholePlatform()));
        var second = FirstStart(await b.AskAsync(WholePlatform()));
        Assert.That(second, Is.GreaterThanOrEqualTo(first + TimeSpan.FromHours(1)), "B charges A's open offers");
        // And back: A sees B's offers as well as its own.
        var third = FirstStart(await a.AskAsync(WholePlatform()));
        Assert.That(third, Is.GreaterThanOrEqualTo(second + TimeSpan.FromHours(1)));
        Assert.That(cluster.WholeReads, Is.EqualTo((1L, 1L)), "each node read its whole ledger once");
    }

    [Test]
    public async Task An_offer_accepted_on_one_node_is_charged_as_its_job_on_the_other_and_its_siblings_are_freed()
    {
        await using var cluster = await StartAsync();
        var (a, b) = (cluster.OwnerA, cluster.OwnerB);

        // On an empty platform: the whole platform for one hour from now, and for two hours from now.
        var set = await a.AskAsync(WholePlatform());
        var start = FirstStart(set);
        Assert.That(Offers(set).Select(o => o!["schedule"]!["offered"]!["duration"]!.GetValue<string>()), Does.Contain("PT2H"));
        var before = await b.AskAsync(WholePlatform());
        Assert.That(FirstStart(before), Is.GreaterThanOrEqualTo(start + TimeSpan.FromHours(2)), "before the accept, B charges both open offers");
        await RejectAllAsync(b, before);

        var job = JobIdOf(await a.AcceptAsync(Href(Offers(set)[0])));
        Assert.That(await a.PhaseAsync(job), Is.EqualTo("QUEUED"));
        var second = FirstStart(await b.AskAsync(WholePlatform()));
        Assert.That(second, Is.GreaterThanOrEqualTo(start + TimeSpan.FromHours(1)), "the accepted job holds the first hour");
        Assert.That(second, Is.LessThan(start + TimeSpan.FromHours(2)), "the two-hour sibling was rejected and is free");
        Assert.That(cluster.WholeReads.B, Is.EqualTo(1L));
    }

    [Test]
    public async Task A_job_ending_on_one_node_frees_its_capacity_on_the_other()
    {
        await using var cluster = await StartAsync();
        var (a, b) = (cluster.OwnerA, cluster.OwnerB);

        var (job, start) = await JobHoldingThePlatformAsync(a, b);

        using (var abort = await a.PostFormAsync($"/jobs/{job}/phase", ("PHASE", "ABORT")))
        {
            Assert.That(abort.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await abort.Content.ReadAsStringAsync());
        }
        Assert.That(await a.PhaseAsync(job), Is.EqualTo("ABORTED"));
        Assert.That(FirstStart(await b.AskAsync(WholePlatform())), Is.LessThan(start + TimeSpan.FromMinutes(5)), "the aborted job holds nothing");
        Assert.That(cluster.WholeReads.B, Is.EqualTo(1L));
    }

    [Test]
    public async Task A_job_deleted_on_one_node_frees_its_capacity_on_the_other()
    {
        await using var cluster = await StartAsync();
        var (a, b) = (cluster.OwnerA, cluster.OwnerB);

        var (job, start) = await JobHoldingThePlatformAsync(a, b);

        using (var delete = await a.DeleteAsync($"/jobs/{job}"))
        {
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        Assert.That(FirstStart(await b.AskAsync(WholePlatform())), Is.LessThan(start + TimeSpan.FromMinutes(5)), "the deleted job holds nothing");
        Assert.That(cluster.WholeReads.B, Is.EqualTo(1L), "the deletion was read as a removal");
    }

    [Test]
    public async Task An_expired_offer_frees_capacity_on_the_other_node_by_time_before_any_sweep_marks_it()
    {
        // The sweeper runs once at start-up and then not for an hour: expiry is by time alone.
        await using var cluster = await StartAsync(offerLifetime: "00:00:02", sweepInterval: "01:00:00");
        var (a, b) = (cluster.OwnerA, cluster.OwnerB);

        var set = await a.AskAsync(WholePlatform());
        var start = FirstStart(set);
        var busy = await b.AskAsync(WholePlatform());
        Assert.That(FirstStart(busy), Is.GreaterThanOrEqualTo(start + TimeSpan.FromHours(1)), "open offers hold capacity");
        await RejectAllAsync(b, busy);

        var clock = Stopwatch.StartNew();
        while ((await a.GetOfferAsync(Href(Offers(set)[0])))["phase"]!.GetValue<string>() != "EXPIRED")
        {
            Assert.That(clock.Elapsed, Is.LessThan(Deadline), "the offer never expired");
            await Task.Yield();
        }
        Assert.That(FirstStart(await b.AskAsync(WholePlatform())), Is.LessThan(start + TimeSpan.FromMinutes(5)), "the expired offers hold nothing");

        var stillOffered = await JobRows.CountOnAsync(cluster.Database.ConnectionString,
            "SELECT count(*) FROM offers WHERE id = $1 AND phase = 'OFFERED'", Offers(set)[0]!["id"]!.GetValue<string>());
        Assert.That(stillOffered, Is.EqualTo(1), "no sweep has marked the offer EXPIRED; the ledger dropped it by its expiry");
    }

    [Test]
    public async Task A_change_committed_after_a_later_booking_is_still_seen()
    {
        // The case a commit-ordered sequence would need a lock for: a transaction takes its id, B then
        // books (with a later id, committed first), and only then does the first transaction commit.
        await using var cluster = await StartAsync();
        var (a, b) = (cluster.OwnerA, cluster.OwnerB);
        var set = await a.AskAsync(WholePlatform());
        var start = FirstStart(set);

        await using var connection = new NpgsqlConnection(cluster.Database.ConnectionString);
        await connection.OpenAsync();
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await using (var reject = new NpgsqlCommand("UPDATE offers SET phase = 'REJECTED' WHERE offer_set_id = $1", connection, tx))
            {
                reject.Parameters.Add(new NpgsqlParameter { Value = set["id"]!.GetValue<string>() });
                Assert.That(await reject.ExecuteNonQueryAsync(), Is.EqualTo(Offers(set).Count));
            }
            // A later transaction that ends first (a new PENDING job), so the rejection is below B's
            // next snapshot's xmax, in its in-progress list, rather than simply newer than all it saw.
            await a.CreateJobAsync();
            var busy = await b.AskAsync(WholePlatform());
            Assert.That(FirstStart(busy), Is.GreaterThanOrEqualTo(start + TimeSpan.FromHours(1)), "not committed yet: still charged");
            await RejectAllAsync(b, busy);
            await tx.CommitAsync();
        }

        Assert.That(FirstStart(await b.AskAsync(WholePlatform())), Is.LessThan(start + TimeSpan.FromMinutes(5)),
            "the late commit was read as a change");
        Assert.That(cluster.WholeReads.B, Is.EqualTo(1L));
    }

    [Test]
    public async Task A_node_whose_last_read_is_older_than_the_pruned_removals_reads_its_whole_ledger_again()
    {
        await using var cluster = await StartAsync();
        var (a, b) = (cluster.OwnerA, cluster.OwnerB);

        var (job, start) = await JobHoldingThePlatformAsync(a, b);
        using (var delete = await a.DeleteAsync($"/jobs/{job}"))
        {
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }

        // Prune every removal there is, as a sweeper would after Planner:LedgerRemovalRetention. (Not
        // below the current xmin, as the sweeper does: another test's open transaction may hold it back.)
        ulong newest;
        await using (var connection = new NpgsqlConnection(cluster.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var max = new NpgsqlCommand("SELECT max(ledger_xid) FROM planner_ledger_removals", connection);
            newest = (ulong)(await max.ExecuteScalarAsync())!;
        }
        var store = cluster.A.Services.GetRequiredService<LedgerStore>();
        Assert.That(await store.PruneRemovalsAsync(newest + 1, default), Is.EqualTo(1));

        Assert.That(FirstStart(await b.AskAsync(WholePlatform())), Is.LessThan(start + TimeSpan.FromMinutes(5)), "the deletion is seen all the same");
        Assert.That(cluster.WholeReads.B, Is.EqualTo(2L), "B could not know what it missed and read everything");
    }
}
