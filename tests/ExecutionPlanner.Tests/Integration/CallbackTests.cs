using System.Net;
using System.Xml.Linq;
using ExecutionPlanner.Server.Jobs.Callbacks;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// Callbacks: the job document POSTed, signed, on every phase change, to allowed hosts only, with bounded retries,
/// sent once however many nodes share the database. A database of its own: every node's sender claims every
/// delivery in its database, so servers of other fixtures (which allow no callbacks) must not see these.
/// </summary>
[Category("PostgreSQL")]
public sealed class CallbackTests
{
    const string Key = "test-signing-key-0123456789";
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    PrivateDatabase database = null!;
    UwsTestServer node = null!;
    UwsTestServer otherNode = null!;
    CallbackReceiver receiver = null!;

    static Dictionary<string, string?> Settings() => new()
    {
        ["Jobs:AllowedCallbackHosts:0"] = "127.0.0.1",
        ["Jobs:CallbackSigningKey"] = Key,
        ["Jobs:CallbackRetryDelay"] = "00:00:00.050",
        ["Jobs:CallbackTimeout"] = "00:00:01",
        ["Jobs:PublicBaseUrl"] = "https://uws.example.org/base",
    };

    [OneTimeSetUp]
    public async Task Start()
    {
        receiver = new CallbackReceiver();
        database = await PrivateDatabase.CreateAsync();
        node = await database.StartServerAsync(Settings());
        otherNode = await database.StartServerAsync(Settings());
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        foreach (var server in new[] { node, otherNode })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
        if (database is not null)
        {
            await database.DisposeAsync();
        }
        if (receiver is not null)
        {
            await receiver.DisposeAsync();
        }
    }

    static async Task PhaseAsync(HttpClient client, string id, string phase)
    {
        using var response = await client.PostFormAsync($"/jobs/{id}/phase", ("PHASE", phase));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
    }

    [Test]
    public async Task Each_phase_change_posts_the_signed_job_document_in_order()
    {
        using var client = node.NewOwner();
        var id = await client.CreateJobAsync(("callback", receiver.Url("/in-order")));
        await PhaseAsync(client, id, "RUN");
        await PhaseAsync(client, id, "ABORT");
        var got = await receiver.WaitForAsync("/in-order", 2, Deadline);
        Assert.That(got.Select(c => c.Header("X-EP-Phase")), Is.EqualTo(new[] { "QUEUED", "ABORTED" }));
        foreach (var callback in got)
        {
            Assert.That(CallbackSignature.Verify(Key, callback.Body, callback.Header("X-EP-Signature")), Is.True);
            Assert.That(callback.Header("X-EP-Signature"), Does.Match("^sha256=[0-9a-f]{64}$"));
            Assert.That(callback.Header("Content-Type"), Does.StartWith("text/xml"));
            Assert.That(callback.Header("X-EP-Job-Id"), Is.EqualTo(id));
            var document = XDocument.Load(new MemoryStream(callback.Body));
            SharedSchemas.AssertValidUws(document);
            Assert.That(document.Root!.Element(Uws + "jobId")!.Value, Is.EqualTo(id));
        }
        var last = XDocument.Load(new MemoryStream(got[1].Body)).Root!;
        Assert.That(PhaseOf(last), Is.EqualTo("ABORTED"));
        Assert.That(last.Descendants(Uws + "parameter").Select(p => p.Attribute("id")!.Value), Does.Contain("callback"));
        Assert.That(CallbackSignature.Verify("another-key-0123456789", got[0].Body, got[0].Header("X-EP-Signature")), Is.False);
    }

    [Test]
    public async Task A_failing_receiver_is_tried_again_with_back_off_and_then_given_up_with_a_job_message()
    {
        using var client = node.NewOwner();
        var flaky = await client.CreateJobAsync(("callback", receiver.Url("/fail-2")));
        await PhaseAsync(client, flaky, "RUN");
        var tries = await receiver.WaitForAsync("/fail-2", 3, Deadline);
        Assert.That(tries.Select(t => (t.Header("X-EP-Attempt"), t.AnsweredStatus)), Is.EqualTo(new[] { ("1", 500), ("2", 500), ("3", 200) }));
        Assert.That(tries.Select(t => t.Header("X-EP-Delivery")).Distinct().Count(), Is.EqualTo(1));

        var broken = await client.CreateJobAsync(("callback", receiver.Url("/always-500")));
        await PhaseAsync(client, broken, "RUN");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var messages = (await client.GetJobAsync(broken)).Descendants((XNamespace)ExecutionPlanner.Server.Jobs.UwsXml.JobInfoNs + "message").Select(m => m.Value).ToList();
            if (messages.Any(m => m.Contains("given up after 3 tries", StringComparison.Ordinal)))
            {
                Assert.That(messages.Single(), Does.Contain("phase QUEUED to 127.0.0.1:").And.Contain("answered 500"));
                break;
            }
            Assert.That(watch.Elapsed, Is.LessThan(Deadline), "no job message after the last try");
            await Task.Delay(100);
        }
        Assert.That(receiver.Received.Count(r => r.Path == "/always-500"), Is.EqualTo(3));
    }

    [Test]
    public async Task Two_nodes_send_each_delivery_once()
    {
        using var client = node.NewOwner();
        const int jobs = 20;
        var ids = new List<string>();
        for (var i = 0; i < jobs; i++)
        {
            var id = await client.CreateJobAsync(("callback", receiver.Url("/once")));
            ids.Add(id);
            await PhaseAsync(client, id, "RUN");
            await PhaseAsync(client, id, "ABORT");
        }
        var got = await receiver.WaitForAsync("/once", 2 * jobs, Deadline);
        // Settle: nothing more may arrive (a duplicate would come from the other node's sender).
        await Task.Delay(TimeSpan.FromSeconds(2));
        var all = receiver.Received.Where(r => r.Path == "/once").Select(r => (r.Header("X-EP-Job-Id"), r.Header("X-EP-Phase"))).ToList();
        Assert.That(all, Is.Unique);
        Assert.That(all, Has.Count.EqualTo(2 * jobs));
        Assert.That(ids.Select(id => all.Where(a => a.Item1 == id).Select(a => a.Item2)), Has.All.EqualTo(new[] { "QUEUED", "ABORTED" }));
        Assert.That(await JobRows.CountOnAsync(database.ConnectionString, "SELECT count(*) FROM job_callbacks"), Is.Zero);
        Assert.That(got, Is.Not.Empty);
    }

    [Test]
    public async Task A_callback_to_a_host_not_allowed_or_not_a_url_is_refused_with_400()
    {
        using var client = node.NewOwner();
        foreach (var bad in new[] { "http://example.org/hook", "ftp://127.0.0.1/x", "not a url", "http://localhost/hook" })
        {
            using var response = await client.PostFormAsync("/jobs", ("image", Image), ("callback", bad));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), bad);
        }
        using (var twice = await client.PostFormAsync("/jobs", ("image", Image), ("callback", receiver.Url("/a")), ("callback", receiver.Url("/b"))))
        {
            Assert.That(twice.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }
        var id = await client.CreateJobAsync();
        using (var later = await client.PostFormAsync($"/jobs/{id}/parameters", ("callback", "http://example.org/hook")))
        {
            Assert.That(later.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await later.Content.ReadAsStringAsync(), Does.Contain("'example.org' is not allowed"));
        }
    }

    [Test]
    public async Task Where_the_operator_allows_no_callback_hosts_every_callback_is_refused()
    {
        await using var closed = await UwsTestServer.StartAsync();
        using var client = closed.NewOwner();
        using var response = await client.PostFormAsync("/jobs", ("image", Image), ("callback", receiver.Url("/never")));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("sends no callbacks"));
    }
}
