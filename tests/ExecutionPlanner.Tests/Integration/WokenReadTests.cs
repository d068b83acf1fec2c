using ExecutionPlanner.Server.Jobs.Waiting;
using ExecutionPlanner.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// The batched read behind woken WAITs (<see cref="WokenJobReader"/>). When a batch read fails, every waiter reads
/// its job itself, so the answers stay right and only the log and the timing show it: a compiled EF query bound to
/// another model once failed every batch that way, unseen by the WAIT tests. Here the batch itself must work.
/// </summary>
[Category("PostgreSQL")]
public sealed class WokenReadTests
{
    PrivateDatabase database = null!;
    UwsTestServer server = null!;
    readonly CapturedLog warnings = new(LogLevel.Warning);

    [OneTimeSetUp]
    public async Task Start()
    {
        database = await PrivateDatabase.CreateAsync();
        server = await UwsTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:ExecutionPlanner"] = database.ConnectionString,
        }, services => services.AddSingleton<ILoggerProvider>(warnings));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await server.DisposeAsync();
        await database.DisposeAsync();
    }

    [Test]
    public async Task Waiters_woken_by_one_update_get_their_jobs_from_the_batch_read()
    {
        using var client = server.NewOwner();
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await client.CreateJobAsync());
        }
        var requests = ids.Select(id => client.GetUwsXmlAsync($"/jobs/{id}?WAIT=20&PHASE=PENDING")).ToList();
        await ExecutionTests.WaitUntilAsync(() => Task.FromResult(server.Services.GetRequiredService<WokenJobReader>().WatchedJobs == ids.Count),
            TimeSpan.FromSeconds(10));

        // One statement, as the planner's release or an operator's repair moves many jobs at once.
        await JobRows.ExecuteOnAsync(database.ConnectionString,
            "UPDATE jobs SET phase = 'HELD', phase_changed_at = now() WHERE id = ANY($1)", [ids.ToArray()]);

        var documents = await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Multiple(() =>
        {
            Assert.That(documents.Select(d => UwsClient.PhaseOf(d.Root!)), Is.All.EqualTo("HELD"));
            Assert.That(warnings.Entries.Where(e => e.Contains(nameof(WokenJobReader), StringComparison.Ordinal)), Is.Empty);
        });
    }
}
