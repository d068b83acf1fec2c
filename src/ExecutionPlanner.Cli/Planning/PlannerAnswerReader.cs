using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExecutionPlanner.Cli.Tasks;

namespace ExecutionPlanner.Cli.Planning;

/// <summary>
/// Reads a planner's answer by what it contains, not by who sent it, so a service that changes dialect keeps
/// working:
/// - <c>reponseword</c> (sic): the 2021 Note (YES with <c>servicetype</c> and <c>serviceinfo.endpoint</c>,
///   optional <c>resources</c>; NO with optional <c>reponseinfo.reasons</c>);
/// - <c>result</c> with offers carrying <c>service</c> and <c>compute.*.offered</c>: ours;
/// - <c>result</c> with offers carrying <c>meta</c>, <c>connectors</c> or plain <c>compute.*.min</c>: Calycopis
///   (ExecutionBroker 1.0), NO reasons from <c>messages</c>.
/// Any other JSON, or no JSON, is a failure with a reason a person can act on.
/// </summary>
internal static class PlannerAnswerReader
{
    public const string Ours = "ExecutionPlanner";
    public const string Calycopis = "Calycopis";
    public const string Note2021 = "2021 Note";

    public static PlannerAnswer Read(PlannerService service, string body, DateTimeOffset now)
    {
        JsonObject answer;
        try
        {
            if (JsonNode.Parse(body) is not JsonObject o)
            {
                return PlannerAnswer.Failure(service, "answered JSON that is not a planner answer (not an object)");
            }
            answer = o;
        }
        catch (JsonException)
        {
            return PlannerAnswer.Failure(service, $"answered something that is not JSON: {ServiceHttp.Shorten(body)}");
        }
        try
        {
            if (answer.ContainsKey("reponseword") || answer.ContainsKey("responseword"))
            {
                return ReadNote(service, answer, now);
            }
            if (answer["result"] is JsonValue)
            {
                return ReadOfferSet(service, answer);
            }
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or JsonException or OverflowException)
        {
            return PlannerAnswer.Failure(service, $"answered a planner answer that cannot be read: {ex.Message}");
        }
        return PlannerAnswer.Failure(service, "answered JSON without result or reponseword: not a planner answer");
    }

    static PlannerAnswer ReadNote(PlannerService service, JsonObject answer, DateTimeOffset now)
    {
        var word = Text(answer["reponseword"] ?? answer["responseword"])?.ToUpperInvariant();
        var reasons = Array(answer["reponseinfo"]?["reasons"] ?? answer["responseinfo"]?["reasons"])
            .Select(r => Text(r?["text"]) is { } t ? (Text(r?["httpcode"]) is { } code ? $"{t} ({code})" : t) : Text(r))
            .OfType<string>().ToList();
        if (word != "YES")
        {
            return new PlannerAnswer(service, AnswerKind.No, Note2021, reasons.Count > 0 ? reasons : ["NO (the 2021 Note gives no reason)"], []);
        }
        var endpoint = Text(answer["serviceinfo"]?["endpoint"]);
        var resources = answer["resources"];
        var startup = Text(resources?["minstartup"]) is { } s ? Quantities.ParseDuration(s) : (TimeSpan?)null;
        var maxStartup = Text(resources?["maxstartup"]) is { } ms ? Quantities.ParseDuration(ms) : (TimeSpan?)null;
        var duration = Text(resources?["maxduration"] ?? resources?["minduration"]) is { } d ? Quantities.ParseDuration(d) : (TimeSpan?)null;
        var offer = new OfferCandidate
        {
            Service = service,
            Dialect = Note2021,
            Start = now + (startup ?? TimeSpan.Zero),
            StartLatest = maxStartup is { } late ? now + late : null,
            Duration = duration,
            Cores = Number(resources?["maxcores"] ?? resources?["mincores"]),
            MemoryGiB = Memory(resources?["maxmemory"] ?? resources?["minmemory"]),
            ServiceType = Text(answer["servicetype"]),
            Endpoint = endpoint is not null && Uri.TryCreate(endpoint, UriKind.Absolute, out var e) ? e : null,
        };
        return new PlannerAnswer(service, AnswerKind.Yes, Note2021, [], [offer]);
    }

    static PlannerAnswer ReadOfferSet(PlannerService service, JsonObject answer)
    {
        var result = Text(answer["result"])?.ToUpperInvariant();
        var offers = Array(answer["offers"]).OfType<JsonObject>().ToList();
        var dialect = offers.Count == 0
            ? (answer.ContainsKey("meta") || answer.ContainsKey("messages") ? Calycopis : Ours)
            : (offers[0].ContainsKey("service") && offers[0]["compute"]?["cores"]?["offered"] is not null ? Ours : Calycopis);
        var reasons = Array(answer["reasons"])
            .Select(r => Text(r?["text"]) is { } t ? (Text(r?["path"]) is { Length: > 0 } p ? $"{p}: {t}" : t) : Text(r))
            .Concat(Array(answer["messages"] ?? answer["meta"]?["messages"]).Select(m => Text(m?["message"]) ?? Text(m?["template"]) ?? Text(m)))
            .OfType<string>().ToList();
        if (result != "YES")
        {
            return new PlannerAnswer(service, AnswerKind.No, dialect, reasons.Count > 0 ? reasons : ["NO (no reason given)"], []);
        }
        var setExpires = Time(answer["expires"]);
        var candidates = offers.Select(o => ReadOffer(service, dialect, o, setExpires)).ToList();
        return new PlannerAnswer(service, candidates.Count > 0 ? AnswerKind.Yes : AnswerKind.No, dialect,
            candidates.Count > 0 ? [] : ["YES without any offer"], candidates);
    }

    static OfferCandidate ReadOffer(PlannerService service, string dialect, JsonObject offer, DateTimeOffset? setExpires)
    {
        var schedule = offer["schedule"];
        var window = schedule?["offered"] ?? schedule?["available"] ?? schedule?["preparing"] ?? schedule;
        var (start, latest) = Interval(Text(window?["start"]));
        var duration = Text(window?["duration"] ?? schedule?["available"]?["duration"]) is { } d ? Quantities.ParseDuration(d) : (TimeSpan?)null;
        var href = Text(offer["href"]) ?? Text(offer["meta"]?["url"]) ?? Text(offer["meta"]?["href"]) ?? Text(offer["url"]);
        var connector = Array(offer["connectors"]).FirstOrDefault();
        var endpoint = Text(offer["service"]?["endpoint"]) ?? Text(connector?["location"]);
        return new OfferCandidate
        {
            Service = service,
            Dialect = dialect,
            Id = Text(offer["id"]) ?? Text(offer["uuid"]) ?? Text(offer["meta"]?["uuid"]),
            Href = href is not null && Uri.TryCreate(service.Url, href, out var h) ? h : null,
            Start = start,
            StartLatest = latest,
            Duration = duration,
            Cores = Number(offer["compute"]?["cores"]?["offered"]?["min"] ?? offer["compute"]?["cores"]?["min"]),
            MemoryGiB = Memory(offer["compute"]?["memory"]?["offered"]?["min"] ?? offer["compute"]?["memory"]?["min"]),
            Expires = Time(offer["expires"]) ?? setExpires,
            ServiceType = Text(offer["service"]?["type"]) ?? Text(connector?["kind"]),
            Endpoint = endpoint is not null && Uri.TryCreate(service.Url, endpoint, out var e) ? e : null,
        };
    }

    /// <summary>ISO 8601 "start/end", "start/duration" or one instant.</summary>
    static (DateTimeOffset? Start, DateTimeOffset? Latest) Interval(string? text)
    {
        if (text is null)
        {
            return (null, null);
        }
        var parts = text.Split('/', 2);
        var start = Time(parts[0]);
        if (parts.Length == 1 || start is null)
        {
            return (start, start);
        }
        return parts[1].StartsWith('P') ? (start, start + Quantities.ParseDuration(parts[1])) : (start, Time(parts[1]));
    }

    static DateTimeOffset? Time(JsonNode? node) => Text(node) is { } t ? Time(t) : null;

    static DateTimeOffset? Time(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;

    static string? Text(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v => v.ToJsonString(),
        _ => null,
    };

    static decimal? Number(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<decimal>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) && decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    static decimal? Memory(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<decimal>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) => Quantities.ParseMemoryGiB(s),
        _ => null,
    };

    static IEnumerable<JsonNode?> Array(JsonNode? node) => node as JsonArray ?? (IEnumerable<JsonNode?>)[];
}
