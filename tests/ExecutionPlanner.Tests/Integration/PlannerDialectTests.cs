using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.PlannerClient;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// The planner as clients of every vintage talk to it: the 2021 note (tasktype, /accepts, /accept,
/// reponseword), the 2023 drafts (type + name, resources lists, {"request": ...}), Calycopis-openapi
/// (kind + meta, /requests, /offersets/{uuid}, /sessions/{uuid}, update messages), in JSON, YAML and
/// forms. A large platform in a database of its own; data may be fetched from data.example.org only.
/// </summary>
[Parallelizable(ParallelScope.Children)]
public sealed class PlannerDialectTests : PrivateServerFixture
{
    const string Calycopis = "https://www.purl.org/ivoa.net/Calycopis-openapi/schema/v1.0/kinds";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        // Large enough that the offers all tests of this fixture hold at once never fill it.
        ["Planner:PlatformCores"] = "1000",
        ["Planner:PlatformMemory"] = "4000Gi",
        ["Jobs:MaxCores"] = "8",
        ["Jobs:MaxMemory"] = "32Gi",
        ["Jobs:AllowedInputHosts:0"] = "data.example.org",
    };

    static JsonObject CalycopisTask(string extra = "") => JsonNode.Parse($$"""
        {
          "executable": {
            "kind": "{{Calycopis}}/executable/docker-container.yaml",
            "meta": { "name": "calycopis-task" },
            "image": { "locations": ["{{Image}}"], "digest": "sha256:4911760109f78976d2a95a6491a8d8c77bfee9fd1498b9a4b7dd5b7515826689",
                       "platform": { "architecture": "amd64", "os": "linux" } },
            "command": ["sh", "-c", "ls /uws/inputs"]
          },
          "compute": {
            "kind": "{{Calycopis}}/compute/simple-compute-resource.yaml",
            "meta": { "name": "compute" },
            "cores": { "min": 1, "max": 2 },
            "memory": { "min": 1, "max": 2 }
          },
          "storage": [
            { "kind": "{{Calycopis}}/storage/simple-storage-resource.yaml", "meta": { "name": "scratch" }, "size": { "min": 1, "max": 2 } }
          ],
          "schedule": { "requested": { "duration": "PT10M" } }{{extra}}
        }
        """)!.AsObject();

    static string NoText(JsonObject set) => string.Join(" | ", set["reasons"]!.AsArray().Select(r => $"{r!["path"]}: {r["text"]}"));

    [Test]
    public async Task A_calycopis_request_with_kinds_meta_names_a_storage_list_and_an_http_data_resource_gets_yes()
    {
        using var client = Server.NewOwner();
        var task = CalycopisTask($$"""
            , "data": [ { "kind": "{{Calycopis}}/data/simple-data-resource.yaml", "meta": { "name": "table.vot" },
                          "location": "https://data.example.org/tables/table.vot" } ]
            """);
        var set = await client.AskAsync(task);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("YES"), NoText(set));
        var offer = Offers(set)[0]!;
        Assert.That(offer["data"]![0]!.GetValue<string>(), Is.EqualTo("https://data.example.org/tables/table.vot"));
        Assert.That(offer["storage"]!["size"]!["offered"]!["min"]!.GetValue<decimal>(), Is.EqualTo(2m));
        Assert.That(offer["meta"]!["name"]!.GetValue<string>(), Is.EqualTo("calycopis-task"));
        Assert.That(Guid.TryParse(set["meta"]!["uuid"]!.GetValue<string>(), out _), "offer sets are named by UUIDs");
    }

    [TestCase("https://www.purl.org/ivoa.net/Calycopis-openapi/schema/v1.0/kinds/executable/docker-container.yaml")]
    [TestCase("https://www.purl.org/ivoa.net/EB/schema/v1.0/types/executable/docker-container-1.0")]
    [TestCase("https://www.purl.org/ivoa.net/EB/schema/types/executable/docker-container-1.0")]
    [TestCase("https://www.purl.org/ivoa.net/EB/schema/types/executables/docker-container-1.0")]
    [TestCase("https://www.purl.org/ivoa.net/EB/schema/types/executables/docker-container-1.0.yaml")]
    [TestCase("uri:docker-container-0.1")]
    [TestCase("uri:docker-container-1.0")]
    [TestCase("uri://docker-container")]
    public async Task Every_published_spelling_of_the_docker_kind_is_understood(string kind)
    {
        using var client = Server.NewOwner();
        var task = CalycopisTask();
        task["executable"]!["kind"] = kind;
        var set = await client.AskAsync(task);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("YES"), NoText(set));
    }

    [Test]
    public async Task A_2023_draft_request_with_type_name_and_resource_lists_wrapped_in_request_gets_yes()
    {
        using var client = Server.NewOwner();
        var request = JsonNode.Parse($$"""
            { "request": {
                "name": "draft-2023",
                "executable": { "type": "https://www.purl.org/ivoa.net/EB/schema/types/executables/docker-container-1.0",
                                "name": "exe", "image": "{{Image}}", "command": "echo hello" },
                "resources": {
                  "compute": [ { "type": "https://www.purl.org/ivoa.net/EB/schema/types/resources/compute/simple-compute-resource-1.0",
                                 "name": "c", "cores": { "min": 2, "max": 4 }, "memory": { "min": "1GiB", "max": "2048Mi" } } ],
                  "storage": [ { "type": "https://www.purl.org/ivoa.net/EB/schema/types/resources/storage/simple-storage-resource-1.0",
                                 "name": "s", "size": { "min": 1, "max": 1 } } ],
                  "data": [ { "type": "https://www.purl.org/ivoa.net/EB/schema/types/resources/data/simple-data-resource-1.0",
                              "name": "in.fits", "location": "http://data.example.org/in.fits" } ]
                },
                "schedule": { "requested": { "duration": "PT20M" } } } }
            """)!;
        var set = await client.AskAsync(request);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("YES"), NoText(set));
        var offer = Offers(set)[0]!;
        Assert.That(Offered(offer, "cores"), Is.EqualTo(4m));
        Assert.That(Offered(offer, "memory"), Is.EqualTo(2m));
        Assert.That(offer["executable"]!["command"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "echo", "hello" }));
        Assert.That(offer["name"]!.GetValue<string>(), Is.EqualTo("draft-2023"));
    }

    [TestCase("S3-data-resource.yaml", """ "endpoint": "https://s3.example.org", "bucket": "b", "object": "o" """, "S3")]
    [TestCase("rucio-data-resource.yaml", """ "rucio": { "endpoint": "https://rucio.example.org", "scope": "s", "object": "o", "type": "FILE" } """, "Rucio")]
    [TestCase("skao-data-resource.yaml", """ "skao": { "namespace": "n", "objectname": "o", "objecttype": "FILE" } """, "SKAO")]
    [TestCase("ivoa-data-resource.yaml", """ "ivoa": { "ivoid": "ivo://example.org/data?obs-1" } """, "ivoid")]
    public async Task Data_the_service_cannot_stage_gets_no_with_a_reason_naming_it(string kind, string fields, string named)
    {
        using var client = Server.NewOwner();
        var task = CalycopisTask($$"""
            , "data": [ { "kind": "{{Calycopis}}/data/{{kind}}", "meta": { "name": "far-away" }, {{fields}} } ]
            """);
        var set = await client.AskAsync(task);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("NO"));
        var reason = set["reasons"]!.AsArray().Single()!;
        Assert.That(reason["path"]!.GetValue<string>(), Is.EqualTo("/data/0/kind"));
        Assert.That(reason["text"]!.GetValue<string>(), Does.Contain("far-away").And.Contain(named));
        Assert.That(set["meta"]!["messages"]![0]!["message"]!.GetValue<string>(), Does.Contain("far-away"), "every NO reason is also a message");
    }

    [Test]
    public async Task An_ivoa_data_resource_with_an_obscore_access_url_on_an_allowed_host_is_staged()
    {
        using var client = Server.NewOwner();
        var task = CalycopisTask($$"""
            , "data": [ { "kind": "{{Calycopis}}/data/ivoa-data-resource.yaml", "meta": { "name": "obs-1.fits" },
                          "ivoa": { "ivoid": "ivo://example.org/data?obs-1", "obscore": { "access_url": "https://data.example.org/obs-1.fits" } } } ]
            """);
        var set = await client.AskAsync(task);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("YES"), NoText(set));
    }

    [Test]
    public async Task Data_from_a_host_the_operator_does_not_allow_gets_no()
    {
        using var client = Server.NewOwner();
        var task = CalycopisTask();
        task["data"] = new JsonArray("http://169.254.169.254/latest/meta-data");
        var set = await client.AskAsync(task);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("NO"));
        Assert.That(NoText(set), Does.Contain("/data/0").And.Contain("Jobs:AllowedInputHosts").And.Contain("169.254.169.254"));
    }

    [TestCase("privileged", "true", "/executable/privileged")]
    [TestCase("entrypoint", "\"/bin/sh\"", "/executable/entrypoint")]
    [TestCase("network", """{ "ports": [ { "access": true, "internal": { "port": 8888 }, "protocol": "HTTP" } ] }""", "/executable/network/ports")]
    [TestCase("image", """{ "locations": ["executionplanner/busybox:1"], "platform": { "architecture": "arm64", "os": "linux" } }""", "/executable/image/platform/architecture")]
    public async Task What_this_service_never_does_gets_no_with_a_reason_at_the_field(string field, string value, string path)
    {
        using var client = Server.NewOwner();
        var task = CalycopisTask();
        task["executable"]![field] = JsonNode.Parse(value);
        var set = await client.AskAsync(task);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("NO"));
        Assert.That(set["reasons"]!.AsArray().Select(r => r!["path"]!.GetValue<string>()), Does.Contain(path));
    }

    [Test]
    public async Task A_volume_mount_of_data_at_its_input_path_gets_yes_and_elsewhere_no_saying_where_it_would_be()
    {
        using var client = Server.NewOwner();
        var data = $$"""
            , "data": [ { "kind": "{{Calycopis}}/data/simple-data-resource.yaml", "meta": { "name": "cat.csv" },
                          "location": "https://data.example.org/cat.csv" } ]
            """;
        var good = CalycopisTask(data);
        good["compute"]!["volumes"] = JsonNode.Parse($$"""
            [ { "kind": "{{Calycopis}}/volume/simple-volume-mount.yaml", "path": "/uws/inputs/cat.csv", "mode": "READONLY", "resource": "cat.csv" } ]
            """);
        var yes = await client.AskAsync(good);
        Assert.That(yes["result"]!.GetValue<string>(), Is.EqualTo("YES"), NoText(yes));

        var elsewhere = CalycopisTask(data);
        elsewhere["compute"]!["volumes"] = JsonNode.Parse($$"""
            [ { "kind": "{{Calycopis}}/volume/simple-volume-mount.yaml", "path": "/data/cat.csv", "mode": "READONLY", "resource": "cat.csv" } ]
            """);
        var no = await client.AskAsync(elsewhere);
        Assert.That(no["result"]!.GetValue<string>(), Is.EqualTo("NO"));
        Assert.That(NoText(no), Does.Contain("/compute/volumes/0/path").And.Contain("/uws/inputs/cat.csv"));
    }

    [Test]
    public async Task A_yaml_request_is_read_as_its_content_type_says()
    {
        using var client = Server.NewOwner();
        var yaml = $"""
            executable:
              kind: {Calycopis}/executable/docker-container.yaml
              meta:
                name: from-yaml
              image: {Image}
              command: [echo, yaml]
            compute:
              cores: {"{"}min: 1, max: 1{"}"}
              memory: {"{"}min: 512Mi, max: 1G{"}"}
            schedule:
              requested:
                duration: 30m
            """;
        using var content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        using var response = await client.PostAsync("/planner/offersets", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var set = AssertOfferSet(body);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("YES"), body);
        Assert.That(Offers(set)[0]!["schedule"]!["offered"]!["duration"]!.GetValue<string>(), Is.EqualTo("PT30M"));
        Assert.That(Offered(Offers(set)[0]!, "memory"), Is.EqualTo(0.930664m), "1G is 10^9 bytes, offered in whole MiB (953 MiB)");
    }

    [Test]
    public async Task The_2021_note_with_memory_units_startup_and_duration_words_gets_the_notes_answer()
    {
        using var client = Server.NewOwner();
        var reply = await client.AskAsync(JsonNode.Parse($$"""
            { "tasktype": "uri://docker-container",
              "taskinfo": { "image": "{{Image}}", "environment-variables": [ { "name": "LEVEL", "value": "5" } ] },
              "resources": { "mincores": 1, "maxcores": 2, "minmemory": "512Mi", "maxmemory": "1.5GiB", "maxstartup": "60s", "minduration": "4h" } }
            """)!);
        Assert.That(reply["reponseword"]!.GetValue<string>(), Is.EqualTo("YES"), reply.ToJsonString());
        Assert.That(reply["resources"]!["minduration"]!.GetValue<string>(), Is.EqualTo("4h"));
        Assert.That(reply["resources"]!["maxmemory"]!.GetValue<string>(), Is.EqualTo("1536Mi"));
        Assert.That(reply["resources"]!["minstartup"]!.GetValue<string>(), Is.EqualTo("0s"), "an empty platform starts at once");
        var offer = Offers(reply)[0]!;
        Assert.That(offer["executable"]!["environment"]!["LEVEL"]!.GetValue<string>(), Is.EqualTo("5"));
        Assert.That(StartOf(offer), Is.LessThanOrEqualTo(TimeProvider.System.GetUtcNow().AddSeconds(60)), "maxstartup bounds the start");
    }

    [Test]
    public async Task The_notes_accepts_query_says_yes_for_docker_containers_and_no_for_other_types()
    {
        using var client = Server.NewOwner();
        var yes = await client.GetStringAsync("/planner/accepts?tasktype=uri://docker-container");
        var yesReply = AssertNoteReply(yes);
        Assert.That(yesReply["reponseword"]!.GetValue<string>(), Is.EqualTo("YES"));
        Assert.That(yesReply["serviceinfo"]!["endpoint"]!.GetValue<string>(), Is.EqualTo(new Uri(Server.BaseAddress, "/jobs").ToString()));
        var no = AssertNoteReply(await client.GetStringAsync("/planner/accepts?tasktype=uri://zeppelin-notebook"));
        Assert.That(no["reponseword"]!.GetValue<string>(), Is.EqualTo("NO"));
        Assert.That(no["reponseinfo"]!["reasons"]![0]!["text"]!.GetValue<string>(), Does.Contain("uri://zeppelin-notebook"));
        var policy = AssertNoteReply(await client.GetStringAsync("/planner/accepts?tasktype=uri://docker-container&taskinfo.image=docker.io/library/ubuntu:24.04"));
        Assert.That(policy["reponseword"]!.GetValue<string>(), Is.EqualTo("NO"));
    }

    [Test]
    public async Task The_notes_accept_takes_a_multipart_form_and_answers_with_offers()
    {
        using var client = Server.NewOwner();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("uri://docker-container"), "tasktype" },
            { new StringContent(Image), "taskinfo.image" },
            { new StringContent("echo"), "taskinfo.command" },
            { new StringContent("form"), "taskinfo.command" },
            { new StringContent("1"), "resources.mincores" },
            { new StringContent("1G"), "resources.minmemory" },
            { new StringContent("5m"), "resources.minduration" },
        };
        using var response = await client.PostAsync("/planner/accept", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var reply = AssertNoteReply(body);
        Assert.That(reply["reponseword"]!.GetValue<string>(), Is.EqualTo("YES"), body);
        Assert.That(Offers(reply)[0]!["executable"]!["command"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "echo", "form" }));
        Assert.That(Offers(reply)[0]!["schedule"]!["offered"]!["duration"]!.GetValue<string>(), Is.EqualTo("PT5M"));
    }

    [Test]
    public async Task Calycopis_routes_request_offerset_session_and_an_update_message_accept_an_offer()
    {
        using var client = Server.NewOwner();
        using var other = Server.NewOwner();
        var task = CalycopisTask($$"""
            , "data": [ { "kind": "{{Calycopis}}/data/simple-data-resource.yaml", "meta": { "name": "t.vot" }, "location": "https://data.example.org/t.vot" } ]
            """);
        AssertValidRequest(task);
        using var posted = await client.PostAsync("/requests", new StringContent(task.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await posted.Content.ReadAsStringAsync());
        var location = posted.Headers.Location!.ToString();
        Assert.That(location, Does.Match("/offersets/[0-9a-f-]{36}$"));

        using var got = await client.GetAsync(new Uri(location).PathAndQuery);
        var set = AssertOfferSet(await got.Content.ReadAsStringAsync());
        Assert.That(set["meta"]!["url"]!.GetValue<string>(), Is.EqualTo(location));
        var session = Offers(set)[0]!;
        // Answered in Calycopis' own kinds and shapes, so its generated clients find their discriminators.
        Assert.That(session["kind"]!.GetValue<string>(), Is.EqualTo($"{Calycopis}/session/simple-execution-session.yaml"));
        Assert.That(session["executable"]!["kind"]!.GetValue<string>(), Is.EqualTo($"{Calycopis}/executable/docker-container.yaml"));
        Assert.That(session["compute"]!["kind"]!.GetValue<string>(), Is.EqualTo($"{Calycopis}/compute/simple-compute-resource.yaml"));
        Assert.That(session["compute"]!["cores"]!["min"]!.GetValue<decimal>(), Is.EqualTo(2m));
        Assert.That(session["storage"]![0]!["kind"]!.GetValue<string>(), Is.EqualTo($"{Calycopis}/storage/simple-storage-resource.yaml"));
        Assert.That(session["data"]![0]!["meta"]!["name"]!.GetValue<string>(), Is.EqualTo("t.vot"));
        Assert.That(session["schedule"]!["available"]!["duration"]!.GetValue<string>(), Is.EqualTo("PT10M"));
        var sessionUrl = session["meta"]!["url"]!.GetValue<string>();
        Assert.That(sessionUrl, Does.Match("/sessions/[0-9a-f-]{36}$"));
        Assert.That((await client.GetSessionAsync(sessionUrl))["phase"]!.GetValue<string>(), Is.EqualTo("OFFERED"));

        Assert.That((await other.GetAsync(new Uri(location).PathAndQuery)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await other.GetAsync(new Uri(sessionUrl).PathAndQuery)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var (stolen, _, _) = await other.UpdateAsync(sessionUrl, PhaseUpdateMessage("ACCEPTED"));
        Assert.That(stolen, Is.EqualTo(HttpStatusCode.NotFound), "another owner's session");

        var (status, accepted, body) = await client.UpdateAsync(sessionUrl, PhaseUpdateMessage("ACCEPTED"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(accepted!["phase"]!.GetValue<string>(), Is.EqualTo("PREPARING"), "the job is QUEUED (execution is off in this fixture)");
        var jobId = new Uri(accepted["job"]!.GetValue<string>()).Segments[^1];
        Assert.That(await client.PhaseAsync(jobId), Is.EqualTo("QUEUED"));
        var sibling = Offers(set)[1]!["meta"]!["url"]!.GetValue<string>();
        Assert.That((await client.GetSessionAsync(sibling))["phase"]!.GetValue<string>(), Is.EqualTo("REJECTED"));
    }

    [Test]
    public async Task An_offer_is_accepted_at_planner_offers_with_the_drafts_update_message_too()
    {
        using var client = Server.NewOwner();
        var set = await client.AskAsync(CalycopisTask());
        var update = new JsonObject { ["update"] = new JsonObject { ["type"] = "uri:enum-value-update", ["path"] = "phase", ["value"] = "ACCEPTED" } };
        var (status, offer, body) = await client.UpdateAsync(Href(Offers(set)[0]), update);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(offer!["phase"]!.GetValue<string>(), Is.EqualTo("ACCEPTED"));
        Assert.That(offer["job"], Is.Not.Null);
    }

    [Test]
    public async Task An_offer_is_accepted_with_a_uws_style_form_field_in_capitals()
    {
        using var client = Server.NewOwner();
        var set = await client.AskAsync(CalycopisTask());
        using var response = await client.PostFormAsync(new Uri(Href(Offers(set)[0])).PathAndQuery, ("PHASE", "ACCEPTED"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(JsonNode.Parse(body)!["phase"]!.GetValue<string>(), Is.EqualTo("ACCEPTED"));
    }

    [Test]
    public async Task Cancelling_an_accepted_session_aborts_its_job_and_the_session_reads_cancelled()
    {
        using var client = Server.NewOwner();
        var task = CalycopisTask();
        var start = TimeProvider.System.GetUtcNow().AddHours(2);
        task["schedule"]!["requested"]!["start"] = $"{start:yyyy-MM-ddTHH:mm:ss}Z/PT1H";
        var set = await client.AskAsync(task);
        var url = PlannerLinksOf(Offers(set)[0]!);
        var (_, accepted, _) = await client.UpdateAsync(url, PhaseUpdateMessage("ACCEPTED"));
        var jobId = new Uri(accepted!["job"]!.GetValue<string>()).Segments[^1];
        Assert.That(await client.PhaseAsync(jobId), Is.EqualTo("HELD"));
        Assert.That((await client.GetSessionAsync(url))["phase"]!.GetValue<string>(), Is.EqualTo("WAITING"));

        var (status, cancelled, body) = await client.UpdateAsync(url, PhaseUpdateMessage("CANCELLED"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(cancelled!["phase"]!.GetValue<string>(), Is.EqualTo("CANCELLED"));
        Assert.That(await client.PhaseAsync(jobId), Is.EqualTo("ABORTED"));
        var (again, _, _) = await client.UpdateAsync(url, PhaseUpdateMessage("CANCELLED"));
        Assert.That(again, Is.EqualTo(HttpStatusCode.Conflict), "an ended session has nothing left to cancel");
    }

    static string PlannerLinksOf(JsonNode offer) => offer["href"]!.GetValue<string>().Replace("/planner/offers/", "/sessions/", StringComparison.Ordinal);
}
