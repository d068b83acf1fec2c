using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.PlannerClient;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// The planner's request forms, answers and offer lifecycle, on a large platform in a database of its
/// own (so no other test's jobs make the ledger busy): 64 cores and 256 GiB, 8 cores and 32 GiB per job.
/// </summary>
[Parallelizable(ParallelScope.Children)]
public sealed class PlannerTests : PrivateServerFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Planner:PlatformCores"] = "64",
        ["Planner:PlatformMemory"] = "256Gi",
        ["Jobs:MaxCores"] = "8",
        ["Jobs:MaxMemory"] = "32Gi",
        ["Jobs:AllowedInputHosts:0"] = "example.org",
    };

    [Test]
    public async Task A_docker_task_that_fits_gets_yes_with_offers_pointing_at_the_job_list()
    {
        using var client = Server.NewOwner();
        var set = await client.AskAsync(DockerTask(coresMin: 1, coresMax: 2, memoryMin: 1, memoryMax: 2));
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("YES"));
        Assert.That(Offers(set), Is.Not.Empty.And.Count.LessThanOrEqualTo(3));
        foreach (var offer in Offers(set))
        {
            Assert.That(offer!["phase"]!.GetValue<string>(), Is.EqualTo("OFFERED"));
            Assert.That(offer["service"]!["type"]!.GetValue<string>(), Is.EqualTo("simple-docker-uws"));
            Assert.That(offer["service"]!["endpoint"]!.GetValue<string>(), Is.EqualTo(new Uri(Server.BaseAddress, "/jobs").ToString()));
            Assert.That(Offered(offer, "cores"), Is.InRange(1m, 2m));
            Assert.That(Offered(offer, "memory"), Is.InRange(1m, 2m));
            Assert.That(offer["executable"]!["image"]!.GetValue<string>(), Is.EqualTo(Image));
            Assert.That(DateTimeOffset.Parse(offer["expires"]!.GetValue<string>(), CultureInfo.InvariantCulture), Is.GreaterThan(DateTimeOffset.Parse(set["created"]!.GetValue<string>(), CultureInfo.InvariantCulture)));
        }
        // On an empty platform the first offer starts at once and is over-provisioned to the maxima.
        Assert.That(Offered(Offers(set)[0]!, "cores"), Is.EqualTo(2m));
        Assert.That(Offered(Offers(set)[0]!, "memory"), Is.EqualTo(2m));
        var fetched = await client.GetOfferAsync(Href(Offers(set)[0]));
        Assert.That(fetched["id"]!.GetValue<string>(), Is.EqualTo(Offers(set)[0]!["id"]!.GetValue<string>()));
    }

    [Test]
    public async Task Offers_of_one_set_are_a_spread_not_copies()
    {
        using var client = Server.NewOwner();
        var set = await client.AskAsync(DockerTask(duration: "PT20M"));
        var shapes = Offers(set).Select(o => (StartOf(o!), o!["schedule"]!["offered"]!["duration"]!.GetValue<string>(), Offered(o!, "cores"), Offered(o!, "memory"))).ToList();
        Assert.That(shapes, Is.Unique);
        Assert.That(shapes.Select(s => s.Item2), Does.Contain("PT20M").And.Contain("PT40M"), "the longest-duration offer is there");
    }

    [Test]
    public async Task An_unknown_executable_kind_gets_no_with_a_reason_naming_it()
    {
        using var client = Server.NewOwner();
        var task = DockerTask();
        task["executable"]!["kind"] = "https://example.org/types/jupyter-notebook-1.0";
        var set = await client.AskAsync(task);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("NO"));
        Assert.That(Offers(set), Is.Empty);
        var reason = set["reasons"]!.AsArray().Single()!;
        Assert.That(reason["path"]!.GetValue<string>(), Is.EqualTo("/executable/kind"));
        Assert.That(reason["text"]!.GetValue<string>(), Does.Contain("https://example.org/types/jupyter-notebook-1.0"));
    }

    [TestCase("https://www.purl.org/ivoa.net/EB/schema/types/executable/docker-container-1.0")]
    [TestCase("uri://docker-container")]
    public async Task Every_spelling_of_the_docker_kind_is_understood(string kind)
    {
        using var client = Server.NewOwner();
        var task = DockerTask();
        task["executable"]!["kind"] = kind;
        var set = await client.AskAsync(task);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("YES"), set.ToJsonString());
    }

    [Test]
    public async Task Cores_beyond_the_platform_get_no_with_a_reason_at_the_minimum()
    {
        using var client = Server.NewOwner();
        var set = await client.AskAsync(DockerTask(coresMin: 128, coresMax: 128));
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("NO"));
        var reason = set["reasons"]!.AsArray().Single()!;
        Assert.That(reason["path"]!.GetValue<string>(), Is.EqualTo("/compute/cores/min"));
        Assert.That(reason["text"]!.GetValue<string>(), Does.Contain("128").And.Contain("64"));
    }

    [Test]
    public async Task A_start_window_that_has_passed_gets_no_with_a_reason_at_the_start()
    {
        using var client = Server.NewOwner();
        var task = DockerTask();
        task["schedule"]!["requested"]!["start"] = "2020-01-01T00:00:00Z/PT1H";
        var set = await client.AskAsync(task);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("NO"));
        var reason = set["reasons"]!.AsArray().Single()!;
        Assert.That(reason["path"]!.GetValue<string>(), Is.EqualTo("/schedule/requested/start"));
        Assert.That(reason["text"]!.GetValue<string>(), Does.Contain("already passed"));
    }

    [Test]
    public async Task A_start_window_beyond_the_booking_horizon_gets_no_with_a_reason_at_the_start()
    {
        using var client = Server.NewOwner();
        var task = DockerTask();
        task["schedule"]!["requested"]!["start"] = "2030-01-01T10:00:00Z/2030-01-01T12:00:00Z";
        var (status, set, body) = await client.PostOfferSetAsync(task);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        // 2030 is beyond the booking horizon (7 days): refused with a reason, not silently moved.
        Assert.That(set!["result"]!.GetValue<string>(), Is.EqualTo("NO"));
        Assert.That(set["reasons"]![0]!["path"]!.GetValue<string>(), Is.EqualTo("/schedule/requested/start"));
        Assert.That(set["reasons"]![0]!["text"]!.GetValue<string>(), Does.Contain("ahead"));
    }

    [Test]
    public async Task Listed_credentials_of_unknown_types_only_get_no_with_unknown_token_type()
    {
        using var client = Server.NewOwner();
        var task = DockerTask();
        task["authentication"] = new JsonArray(new JsonObject
        {
            ["type"] = "https://example.org/auth/kerberos", ["mode"] = "explicit", ["spec"] = new JsonObject { ["ticket"] = "x" },
        });
        var set = await client.AskAsync(task);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("NO"));
        var reason = set["reasons"]!.AsArray().Single()!;
        Assert.That(reason["path"]!.GetValue<string>(), Is.EqualTo("/authentication"));
        Assert.That(reason["text"]!.GetValue<string>(), Does.StartWith("unknown token type"));
    }

    [Test]
    public async Task A_known_token_type_with_a_wrong_token_gets_401()
    {
        using var client = Server.Anonymous();
        var task = DockerTask();
        task["authentication"] = new JsonArray(new JsonObject
        {
            ["type"] = BearerType, ["mode"] = "explicit", ["spec"] = new JsonObject { ["token"] = "not-a-token-of-this-service" },
        });
        var (status, _, body) = await client.PostOfferSetAsync(task);
        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized), body);
        Assert.That(body, Does.Contain("/authentication/0"));
    }

    [Test]
    public async Task An_explicit_bearer_credential_makes_the_accepted_job_belong_to_its_owner()
    {
        using var owner = Server.NewOwner(out var ownerId);
        var token = owner.DefaultRequestHeaders.Authorization!.Parameter!;
        using var anonymous = Server.Anonymous();
        var task = DockerTask();
        task["authentication"] = new JsonArray(new JsonObject
        {
            ["type"] = BearerType, ["mode"] = "explicit", ["spec"] = new JsonObject { ["token"] = token },
        });
        var set = await anonymous.AskAsync(task);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("YES"));
        var accepted = await owner.AcceptAsync(Href(Offers(set)[0]));
        var jobId = new Uri(accepted["job"]!.GetValue<string>()).Segments[^1];
        Assert.That(await owner.GetTextAsync($"/jobs/{jobId}/owner"), Is.EqualTo((HttpStatusCode.OK, ownerId)));
        var (status, _) = await anonymous.GetTextAsync($"/planner/offers/{accepted["id"]!.GetValue<string>()}");
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), "the offer belongs to the credential's owner");
    }

    [TestCase("{\"executable\": {\"kind\": 42}}", "/executable/kind")]
    [TestCase("{\"executable\": {\"kind\": \"uri://docker-container\", \"image\": \"executionplanner/busybox:1\"}, \"compute\": {\"cores\": {\"min\": \"two\"}}}", "/compute/cores/min")]
    [TestCase("{\"executable\": {\"kind\": \"uri://docker-container\", \"image\": \"executionplanner/busybox:1\"}, \"schedule\": {\"requested\": {\"duration\": \"ten minutes\"}}}", "/schedule/requested/duration")]
    [TestCase("{\"executable\": {\"kind\": \"uri://docker-container\", \"image\": \"executionplanner/busybox:1\"}, \"schedule\": {\"requested\": {\"start\": \"tomorrow\"}}}", "/schedule/requested/start")]
    [TestCase("{\"executable\": {\"kind\": \"uri://docker-container\"}}", "/executable/image")]
    [TestCase("{\"compute\": {}}", "executable")]
    [TestCase("{\"executable\": ", "not JSON")]
    public async Task A_malformed_request_gets_400_naming_the_field(string body, string field)
    {
        using var client = Server.NewOwner();
        using var response = await client.PostAsync("/planner/offersets", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
        Assert.That(text, Does.Contain(field));
    }

    [Test]
    public async Task A_request_in_the_calycopis_form_gets_offers()
    {
        using var client = Server.NewOwner();
        var request = JsonNode.Parse($$"""
            {
              "executable": {
                "kind": "{{DockerKind}}",
                "meta": { "name": "cantliei-with-compute" },
                "image": { "locations": ["{{Image}}"], "digest": "sha256:4911760109f78976d2a95a6491a8d8c77bfee9fd1498b9a4b7dd5b7515826689" },
                "command": ["5"]
              },
              "compute": {
                "kind": "https://www.purl.org/ivoa.net/EB/schema/v1.0/types/compute/simple-compute-resource-1.0",
                "meta": { "name": "cantliei-compute" },
                "cores": { "min": 1, "max": 2 },
                "memory": { "min": 1, "max": 2 }
              },
              "schedule": { "requested": { "duration": "PT5M" } }
            }
            """)!;
        var set = await client.AskAsync(request);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("YES"));
        Assert.That(Offers(set)[0]!["executable"]!["image"]!.GetValue<string>(), Is.EqualTo(Image));
        Assert.That(Offers(set)[0]!["executable"]!["command"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "5" }));
    }

    [Test]
    public async Task A_request_in_the_2021_form_gets_the_notes_answer_with_its_resources_widened()
    {
        using var client = Server.NewOwner();
        var request = JsonNode.Parse($$"""
            {
              "tasktype": "uri://docker-container",
              "taskinfo": { "image": "{{Image}}", "command": ["echo", "2021"], "environment": { "A": "b" } },
              "resources": { "mincores": 1, "maxcores": 3, "minmemory": 0.5, "maxmemory": 1, "minstorage": 1, "maxstorage": 2,
                             "data": ["https://example.org/data/file.fits"] },
              "schedule": { "duration": "PT15M" }
            }
            """)!;
        var reply = await client.AskAsync(request);
        Assert.That(reply["reponseword"]!.GetValue<string>(), Is.EqualTo("YES"), reply.ToJsonString());
        Assert.That(reply["servicetype"]!.GetValue<string>(), Is.EqualTo("uri://docker-uws"));
        Assert.That(reply["serviceinfo"]!["endpoint"]!.GetValue<string>(), Is.EqualTo(new Uri(Server.BaseAddress, "/jobs").ToString()));
        var resources = reply["resources"]!;
        Assert.That(resources["mincores"]!.GetValue<decimal>(), Is.EqualTo(1m));
        Assert.That(resources["maxcores"]!.GetValue<decimal>(), Is.EqualTo(3m));
        Assert.That(resources["maxmemory"]!.GetValue<string>(), Is.EqualTo("1Gi"));
        Assert.That(resources["minduration"]!.GetValue<string>(), Is.EqualTo("15m"));
        Assert.That(resources["maxstorage"]!.GetValue<string>(), Is.EqualTo("2Gi"));
        var offer = Offers(reply)[0]!;
        Assert.That(Offered(offer, "cores"), Is.EqualTo(3m));
        Assert.That(offer["data"]!.AsArray().Select(d => d!.GetValue<string>()), Is.EqualTo(new[] { "https://example.org/data/file.fits" }));
        Assert.That(offer["schedule"]!["offered"]!["duration"]!.GetValue<string>(), Is.EqualTo("PT15M"));
    }

    [Test]
    public async Task A_2021_request_beyond_the_platform_gets_no_with_a_reason_pointing_into_the_2021_form()
    {
        using var client = Server.NewOwner();
        var reply = await client.AskAsync(JsonNode.Parse($$"""
            { "tasktype": "uri://docker-container", "taskinfo": { "image": "{{Image}}" }, "resources": { "mincores": 100 } }
            """)!);
        Assert.That(reply["reponseword"]!.GetValue<string>(), Is.EqualTo("NO"));
        Assert.That(reply["reponseinfo"]!["reasons"]![0]!["path"]!.GetValue<string>(), Is.EqualTo("/resources/mincores"));
    }

    [Test]
    public async Task An_image_outside_the_operators_policy_gets_no_with_a_reason_at_the_image()
    {
        using var client = Server.NewOwner();
        var task = DockerTask();
        task["executable"]!["image"] = "docker.io/library/ubuntu:24.04";
        var set = await client.AskAsync(task);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("NO"));
        Assert.That(set["reasons"]![0]!["path"]!.GetValue<string>(), Is.EqualTo("/executable/image"));
        Assert.That(set["reasons"]![0]!["text"]!.GetValue<string>(), Does.Contain("not allowed"));
    }

    [Test]
    public async Task Accepting_one_offer_rejects_its_siblings_and_creates_a_queued_job_with_the_offered_limits()
    {
        using var client = Server.NewOwner();
        var set = await client.AskAsync(DockerTask(duration: "PT10M"));
        Assert.That(Offers(set), Has.Count.GreaterThan(1));
        var chosen = Offers(set)[0]!;
        var accepted = await client.AcceptAsync(Href(chosen));
        Assert.That(accepted["phase"]!.GetValue<string>(), Is.EqualTo("ACCEPTED"));
        var jobId = new Uri(accepted["job"]!.GetValue<string>()).Segments[^1];

        var again = (await client.GetAsync(new Uri(set["href"]!.GetValue<string>()).PathAndQuery)).Content.ReadAsStringAsync();
        var reread = AssertOfferSet(await again);
        Assert.That(Offers(reread).Skip(1).Select(o => o!["phase"]!.GetValue<string>()), Is.All.EqualTo("REJECTED"));
        var (status, _, body) = await client.SetOfferPhaseAsync(Href(Offers(set)[1]), "ACCEPTED");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Conflict), body);
        Assert.That(body, Does.Contain("REJECTED"));

        var job = await client.GetJobAsync(jobId);
        Assert.That(PhaseOf(job), Is.EqualTo("QUEUED"), "the slot of the first offer is now; execution is off in this fixture");
        var parameters = job.Element(Uws + "parameters")!.Elements(Uws + "parameter").Select(p => (p.Attribute("id")!.Value, p.Value)).ToList();
        Assert.That(parameters, Does.Contain(("image", Image)).And.Contain(("env", "GREETING=hello"))
            .And.Contain(("cores", Offered(chosen, "cores").ToString(CultureInfo.InvariantCulture))).And.Contain(("memory", "2Gi")));
        Assert.That(parameters.Where(p => p.Item1 == "cmd").Select(p => p.Item2), Is.EqualTo(new[] { "sh", "-c", "echo planned > /uws/results/out.txt" }));
        Assert.That(job.Element(Uws + "executionDuration")!.Value, Is.EqualTo("600"));
        var quote = DateTimeOffset.Parse(job.Element(Uws + "quote")!.Value, CultureInfo.InvariantCulture);
        var offeredEnd = DateTimeOffset.Parse(chosen["schedule"]!["offered"]!["start"]!.GetValue<string>().Split('/')[1], CultureInfo.InvariantCulture) + TimeSpan.FromMinutes(10);
        Assert.That(quote, Is.EqualTo(offeredEnd));
    }

    [Test]
    public async Task An_offer_starting_later_holds_its_job_until_the_slot()
    {
        using var client = Server.NewOwner();
        var task = DockerTask();
        var start = TimeProvider.System.GetUtcNow().AddHours(2);
        task["schedule"]!["requested"]!["start"] = $"{start:yyyy-MM-ddTHH:mm:ss}Z/PT1H";
        var set = await client.AskAsync(task);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("YES"), set.ToJsonString());
        Assert.That(StartOf(Offers(set)[0]!), Is.GreaterThanOrEqualTo(start.AddSeconds(-1)));
        var accepted = await client.AcceptAsync(Href(Offers(set)[0]));
        var jobId = new Uri(accepted["job"]!.GetValue<string>()).Segments[^1];
        Assert.That(await client.PhaseAsync(jobId), Is.EqualTo("HELD"));
        using var early = await client.PostFormAsync($"/jobs/{jobId}/phase", ("PHASE", "RUN"));
        Assert.That(early.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Forbidden), "RUN may not start a held job before its slot");
        Assert.That(await early.Content.ReadAsStringAsync(), Does.Contain("offered slot"));
        Assert.That(await client.PhaseAsync(jobId), Is.EqualTo("HELD"));
    }

    [Test]
    public async Task A_rejected_offer_stays_rejected_and_cannot_be_accepted()
    {
        using var client = Server.NewOwner();
        var set = await client.AskAsync(DockerTask());
        var offer = Href(Offers(set)[0]);
        var (status, rejected, body) = await client.SetOfferPhaseAsync(offer, "REJECTED");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(rejected!["phase"]!.GetValue<string>(), Is.EqualTo("REJECTED"));
        var (again, _, message) = await client.SetOfferPhaseAsync(offer, "ACCEPTED");
        Assert.That(again, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(message, Does.Contain("REJECTED").And.Contain("can no longer be accepted"));
    }

    [Test]
    public async Task Offers_belong_to_their_owner()
    {
        using var client = Server.NewOwner();
        using var other = Server.NewOwner();
        var set = await client.AskAsync(DockerTask());
        var (status, _) = await other.GetTextAsync(new Uri(Href(Offers(set)[0])).PathAndQuery);
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
        var (accept, _, _) = await other.SetOfferPhaseAsync(Href(Offers(set)[0]), "ACCEPTED");
        Assert.That(accept, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task An_unknown_phase_for_an_offer_gets_400()
    {
        using var client = Server.NewOwner();
        var set = await client.AskAsync(DockerTask());
        var (status, _, body) = await client.SetOfferPhaseAsync(Href(Offers(set)[0]), "EXECUTING");
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body, Does.Contain("phase"));
    }
}
