using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using NJsonSchema;

namespace ExecutionPlanner.Tests.Support;

/// <summary>What a planner client does, as test steps that check every answer against the published schemas.</summary>
public static class PlannerClient
{
    public const string DockerKind = "https://www.purl.org/ivoa.net/EB/schema/v1.0/types/executable/docker-container-1.0";
    public const string BearerType = "https://www.purl.org/ivoa.net/EB/schema/v1.0/types/authentication/bearer-token-1.0";

    static readonly Lazy<JsonSchema> OfferSetSchema = new(() => Load("offerset.schema.json"));
    static readonly Lazy<JsonSchema> OfferSchema = new(() => Load("offer.schema.json"));
    static readonly Lazy<JsonSchema> RequestSchema = new(() => Load("offerset-request.schema.json"));
    static readonly Lazy<JsonSchema> Request2021Schema = new(() => Load("offerset-request-2021.schema.json"));
    static readonly Lazy<JsonSchema> NoteReplySchema = new(() => Load("note2021-reply.schema.json"));
    static readonly Lazy<JsonSchema> UpdateSchema = new(() => Load("session-update.schema.json"));

    /// <summary>A docker task in the ExecutionBroker form, as a mutable JSON object.</summary>
    public static JsonObject DockerTask(decimal coresMin = 1, decimal coresMax = 2, decimal memoryMin = 1, decimal memoryMax = 2, string duration = "PT10M") => new()
    {
        ["executable"] = new JsonObject
        {
            ["kind"] = DockerKind,
            ["image"] = UwsClient.Image,
            ["command"] = new JsonArray("sh", "-c", "echo planned > /uws/results/out.txt"),
            ["environment"] = new JsonObject { ["GREETING"] = "hello" },
        },
        ["compute"] = new JsonObject
        {
            ["cores"] = new JsonObject { ["min"] = coresMin, ["max"] = coresMax },
            ["memory"] = new JsonObject { ["min"] = memoryMin, ["max"] = memoryMax },
        },
        ["schedule"] = new JsonObject { ["requested"] = new JsonObject { ["duration"] = duration } },
    };

    /// <summary>POST /planner/offersets; returns the status and body, and checks a 200 body (and the request) against the schemas.</summary>
    public static async Task<(HttpStatusCode Status, JsonObject? Set, string Body)> PostOfferSetAsync(this HttpClient client, JsonNode request)
    {
        var text = request.ToJsonString();
        AssertValidRequest(request);
        using var response = await client.PostAsync("/planner/offersets", new StringContent(text, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, null, body);
        }
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        return (response.StatusCode, request is JsonObject r && r.ContainsKey("tasktype") ? AssertNoteReply(body) : AssertOfferSet(body), body);
    }

    /// <summary>An answer in the 2021 note's shape, checked against its schema (and its offers against the offer schema).</summary>
    public static JsonObject AssertNoteReply(string body)
    {
        AssertValid(NoteReplySchema.Value, body, "2021 note reply");
        var reply = JsonNode.Parse(body)!.AsObject();
        foreach (var offer in reply["offers"]?.AsArray() ?? [])
        {
            AssertValid(OfferSchema.Value, offer!.ToJsonString(), "offer");
        }
        return reply;
    }

    /// <summary>Checks a request body against the published request schema of its form (so the docs say what the server reads).</summary>
    public static void AssertValidRequest(JsonNode request) =>
        AssertValid(request is JsonObject o && (o.ContainsKey("tasktype") || o["request"]?["tasktype"] is not null) ? Request2021Schema.Value : RequestSchema.Value,
            request.ToJsonString(), "request");

    /// <summary>Checks an update message against the published schema.</summary>
    public static void AssertValidUpdate(JsonNode update) => AssertValid(UpdateSchema.Value, update.ToJsonString(), "update");

    /// <summary>GET a JSON answer expecting 200, checked against the offer schema.</summary>
    public static async Task<JsonObject> GetSessionAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(new Uri(url).PathAndQuery);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        AssertValid(OfferSchema.Value, body, "session");
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>POST an update message to a session or offer; returns the status and, on 200, the answer (schema-checked).</summary>
    public static async Task<(HttpStatusCode Status, JsonObject? Session, string Body)> UpdateAsync(this HttpClient client, string url, JsonNode update)
    {
        AssertValidUpdate(update);
        using var response = await client.PostAsync(new Uri(url).PathAndQuery, new StringContent(update.ToJsonString(), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, null, body);
        }
        AssertValid(OfferSchema.Value, body, "session");
        return (response.StatusCode, JsonNode.Parse(body)!.AsObject(), body);
    }

    /// <summary>The Calycopis update message that sets a session's phase.</summary>
    public static JsonObject PhaseUpdateMessage(string phase) => new() { ["kind"] = "uri:enum-value-update", ["path"] = "phase", ["value"] = phase };

    /// <summary>POST /planner/offersets expecting 200; returns the offer set.</summary>
    public static async Task<JsonObject> AskAsync(this HttpClient client, JsonNode request)
    {
        var (status, set, body) = await client.PostOfferSetAsync(request);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        return set!;
    }

    public static JsonObject AssertOfferSet(string body)
    {
        AssertValid(OfferSetSchema.Value, body, "offer set");
        var set = JsonNode.Parse(body)!.AsObject();
        foreach (var offer in set["offers"]!.AsArray())
        {
            AssertValid(OfferSchema.Value, offer!.ToJsonString(), "offer");
        }
        return set;
    }

    public static async Task<JsonObject> GetOfferAsync(this HttpClient client, string offerUrl)
    {
        using var response = await client.GetAsync(new Uri(offerUrl).PathAndQuery);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        AssertValid(OfferSchema.Value, body, "offer");
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>POST {"phase": ...} to an offer; returns the status and, on 200, the offer (schema-checked).</summary>
    public static async Task<(HttpStatusCode Status, JsonObject? Offer, string Body)> SetOfferPhaseAsync(this HttpClient client, string offerUrl, string phase)
    {
        using var response = await client.PostAsJsonAsync(new Uri(offerUrl).PathAndQuery, new { phase });
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, null, body);
        }
        AssertValid(OfferSchema.Value, body, "offer");
        return (response.StatusCode, JsonNode.Parse(body)!.AsObject(), body);
    }

    public static async Task<JsonObject> AcceptAsync(this HttpClient client, string offerUrl)
    {
        var (status, offer, body) = await client.SetOfferPhaseAsync(offerUrl, "ACCEPTED");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        return offer!;
    }

    public static JsonArray Offers(JsonObject set) => set["offers"]!.AsArray();

    public static string Href(JsonNode? offer) => offer!["href"]!.GetValue<string>();

    /// <summary>The first instant of an offer's start window.</summary>
    public static DateTimeOffset StartOf(JsonNode offer) =>
        DateTimeOffset.Parse(offer["schedule"]!["offered"]!["start"]!.GetValue<string>().Split('/')[0], System.Globalization.CultureInfo.InvariantCulture);

    public static decimal Offered(JsonNode offer, string quantity) =>
        offer["compute"]![quantity]!["offered"]!["min"]!.GetValue<decimal>();

    public static void AssertValid(JsonSchema schema, string json, string what)
    {
        var errors = schema.Validate(json);
        Assert.That(errors.Select(e => $"{e.Path}: {e.Kind}"), Is.Empty, () => $"The {what} breaks its schema:\n{json}");
    }

    static JsonSchema Load(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, "schemas", "planner", name);
            if (File.Exists(file))
            {
                return JsonSchema.FromFileAsync(file).GetAwaiter().GetResult();
            }
        }
        throw new FileNotFoundException($"schemas/planner/{name} was not found above {AppContext.BaseDirectory}.");
    }
}
