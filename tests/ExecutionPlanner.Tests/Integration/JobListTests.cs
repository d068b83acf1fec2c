using System.Globalization;
using System.Net;
using System.Xml.Linq;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

public sealed class JobListTests : ServerFixture
{
    static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    static List<string> Ids(XDocument list) => list.Root!.Elements(Uws + "jobref").Select(j => j.Attribute("id")!.Value).ToList();

    /// <summary>Five jobs of a fresh owner, created one second apart (T0+1s … T0+5s), with the given phases.</summary>
    async Task<(HttpClient Client, string[] Ids)> FiveJobsAsync(params string[] phases)
    {
        var client = Server.NewOwner(out var owner);
        var ids = Enumerable.Range(0, 5).Select(_ => JobRows.NewId()).ToArray();
        await JobRows.InsertJobsAsync(owner, ids.Select((id, i) => (id, phases.Length > i ? phases[i] : "PENDING", T0.AddSeconds(i + 1))).ToList());
        return (client, ids);
    }

    [Test]
    public async Task PHASE_selects_one_phase_and_repeated_PHASE_gives_the_union()
    {
        var (client, ids) = await FiveJobsAsync("PENDING", "QUEUED", "COMPLETED", "QUEUED", "ERROR");
        using (client)
        {
            Assert.That(Ids(await client.GetUwsXmlAsync("/jobs?PHASE=QUEUED")), Is.EquivalentTo(new[] { ids[1], ids[3] }));
            Assert.That(Ids(await client.GetUwsXmlAsync("/jobs?PHASE=QUEUED&PHASE=ERROR")), Is.EquivalentTo(new[] { ids[1], ids[3], ids[4] }));
            Assert.That(Ids(await client.GetUwsXmlAsync("/jobs?phase=completed")), Is.EqualTo(new[] { ids[2] }));
            Assert.That(Ids(await client.GetUwsXmlAsync("/jobs?PHASE=EXECUTING")), Is.Empty);
        }
    }

    [Test]
    public async Task Every_listed_job_shows_its_phase_and_creation_time()
    {
        var (client, ids) = await FiveJobsAsync("PENDING", "QUEUED");
        using (client)
        {
            var refs = (await client.GetUwsXmlAsync("/jobs")).Root!.Elements(Uws + "jobref").ToDictionary(j => j.Attribute("id")!.Value);
            Assert.That(refs[ids[1]].Element(Uws + "phase")!.Value, Is.EqualTo("QUEUED"));
            Assert.That(refs[ids[1]].Element(Uws + "creationTime")!.Value, Is.EqualTo("2026-01-01T00:00:02.000Z"));
            Assert.That(refs[ids[1]].Attribute(Xlink + "href")!.Value, Is.EqualTo(new Uri(Server.BaseAddress, $"/jobs/{ids[1]}").ToString()));
        }
    }

    [TestCase("2026-01-01T00:00:03.000Z")]
    [TestCase("2026-01-01T00:00:03Z")]
    [TestCase("2026-01-01T00:00:03")]
    [TestCase("2026-01-01T01:00:03+01:00")]
    public async Task AFTER_lists_only_jobs_created_strictly_later(string after)
    {
        var (client, ids) = await FiveJobsAsync();
        using (client)
        {
            Assert.That(Ids(await client.GetUwsXmlAsync($"/jobs?AFTER={Uri.EscapeDataString(after)}")), Is.EquivalentTo(ids[3..]));
        }
    }

    [Test]
    public async Task AFTER_accepts_a_naive_timestamp_with_microseconds_as_uws_validator_sends()
    {
        var (client, ids) = await FiveJobsAsync();
        using (client)
        {
            Assert.That(Ids(await client.GetUwsXmlAsync("/jobs?AFTER=2026-01-01T00:00:02.999999")), Is.EquivalentTo(ids[2..]));
            Assert.That(Ids(await client.GetUwsXmlAsync("/jobs?AFTER=2026-01-01T00:00:03.000001")), Is.EquivalentTo(ids[3..]));
        }
    }

    [Test]
    public async Task AFTER_accepts_the_pyvo_format()
    {
        var (client, ids) = await FiveJobsAsync();
        using (client)
        {
            // pyvo: datetime.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            var after = T0.AddSeconds(4).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
            Assert.That(after, Is.EqualTo("2026-01-01T00:00:04.000000Z"));
            Assert.That(Ids(await client.GetUwsXmlAsync($"/jobs?AFTER={after}")), Is.EqualTo(new[] { ids[4] }));
        }
    }

    [Test]
    public async Task AFTER_the_creation_time_a_client_read_excludes_that_job()
    {
        using var client = Server.NewOwner();
        var first = await client.CreateJobAsync();
        var created = (await client.GetJobAsync(first)).Element(Uws + "creationTime")!.Value;
        Assert.That(Ids(await client.GetUwsXmlAsync($"/jobs?AFTER={created}")), Does.Not.Contain(first));
    }

    [Test]
    public async Task LAST_gives_the_n_newest_in_descending_creation_time()
    {
        var (client, ids) = await FiveJobsAsync();
        using (client)
        {
            var list = await client.GetUwsXmlAsync("/jobs?LAST=3");
            Assert.That(Ids(list), Is.EqualTo(new[] { ids[4], ids[3], ids[2] }));
            var times = list.Root!.Elements(Uws + "jobref").Select(j => j.Element(Uws + "creationTime")!.Value).ToList();
            Assert.That(times, Is.Ordered.Descending.Using((IComparer<string>)StringComparer.Ordinal));
            Assert.That(Ids(await client.GetUwsXmlAsync("/jobs?LAST=100")), Is.EqualTo(Enumerable.Reverse(ids)));
        }
    }

    [Test]
    public async Task Filters_combine_with_AND()
    {
        var (client, ids) = await FiveJobsAsync("COMPLETED", "PENDING", "COMPLETED", "COMPLETED", "PENDING");
        using (client)
        {
            Assert.That(Ids(await client.GetUwsXmlAsync("/jobs?PHASE=COMPLETED&AFTER=2026-01-01T00:00:01Z")), Is.EquivalentTo(new[] { ids[2], ids[3] }));
            Assert.That(Ids(await client.GetUwsXmlAsync("/jobs?PHASE=COMPLETED&AFTER=2026-01-01T00:00:01Z&LAST=1")), Is.EqualTo(new[] { ids[3] }));
            Assert.That(Ids(await client.GetUwsXmlAsync("/jobs?LAST=2&PHASE=PENDING")), Is.EqualTo(new[] { ids[4], ids[1] }));
        }
    }

    [Test]
    public async Task ARCHIVED_jobs_are_listed_only_when_PHASE_ARCHIVED_asks_for_them()
    {
        using var client = Server.NewOwner();
        var kept = await client.CreateJobAsync();
        var archived = await client.CreateJobAsync();
        await JobRows.SetPhaseAsync(archived, "ARCHIVED");
        Assert.That(Ids(await client.GetUwsXmlAsync("/jobs")), Is.EqualTo(new[] { kept }));
        Assert.That(Ids(await client.GetUwsXmlAsync("/jobs?PHASE=ARCHIVED")), Is.EqualTo(new[] { archived }));
        Assert.That(Ids(await client.GetUwsXmlAsync("/jobs?PHASE=ARCHIVED&PHASE=PENDING")), Is.EquivalentTo(new[] { kept, archived }));
        Assert.That(await client.PhaseAsync(archived), Is.EqualTo("ARCHIVED"));
    }

    [TestCase("PHASE=RUNNING", "PHASE 'RUNNING'")]
    [TestCase("PHASE=PENDING,QUEUED", "PHASE 'PENDING,QUEUED'")]
    [TestCase("AFTER=yesterday", "AFTER 'yesterday'")]
    [TestCase("AFTER=", "AFTER ''")]
    [TestCase("LAST=0", "LAST '0'")]
    [TestCase("LAST=-3", "LAST '-3'")]
    [TestCase("LAST=ten", "LAST 'ten'")]
    [TestCase("OWNER=me", "Unknown job list filter 'OWNER'")]
    public async Task An_invalid_filter_gets_400_with_a_message(string query, string message)
    {
        using var client = Server.NewOwner();
        var (status, body) = await client.GetTextAsync($"/jobs?{query}");
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body, Does.Contain(message));
    }

    [Test]
    public async Task A_new_owner_gets_an_empty_valid_list()
    {
        using var client = Server.NewOwner();
        var list = await client.GetUwsXmlAsync("/jobs");
        Assert.That(list.Root!.Name, Is.EqualTo(Uws + "jobs"));
        Assert.That(list.Root.Attribute("version")?.Value, Is.EqualTo("1.1"));
        Assert.That(list.Root.Elements(), Is.Empty);
    }

    [Test]
    public async Task A_list_of_2000_jobs_is_streamed_complete_and_newest_first()
    {
        using var client = Server.NewOwner(out var owner);
        var ids = Enumerable.Range(0, 2000).Select(_ => JobRows.NewId()).ToArray();
        await JobRows.InsertJobsAsync(owner, ids.Select((id, i) => (id, i % 3 == 0 ? "COMPLETED" : "PENDING", T0.AddMilliseconds(i))).ToList());
        var listed = Ids(await client.GetUwsXmlAsync("/jobs"));
        Assert.That(listed, Has.Count.EqualTo(2000));
        Assert.That(listed, Is.EqualTo(Enumerable.Reverse(ids)));
        Assert.That(Ids(await client.GetUwsXmlAsync("/jobs?PHASE=COMPLETED")), Has.Count.EqualTo(667));
    }
}
