using System.Globalization;
using System.Text.Json.Nodes;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// The 2021 ExecutionPlanner note's answer (schemas/planner/note2021-reply.schema.json):
/// <c>reponseword</c> YES or NO (the note's own spelling), <c>servicetype</c> (the note's name for a
/// Docker UWS service, uri://docker-uws) and <c>serviceinfo.endpoint</c> (the simple-docker-uws job
/// list), the offered <c>resources</c> in the note's words (cores, memory as sizes with units, startup
/// and duration as "90s"), <c>reponseinfo.reasons</c> on NO, and, beside them, the offers themselves
/// and the offer set's URL so a client can accept one.
/// </summary>
public static class Note2021Json
{
    public const string ServiceType = "uri://docker-uws";

    public static JsonObject Accepts(HttpRequest request, IReadOnlyList<Reason> reasons) => reasons.Count == 0
        ? Yes(request)
        : No(reasons);

    public static JsonObject Reply(OfferSet set, HttpRequest request, DateTimeOffset now)
    {
        var reply = set.Yes ? Yes(request) : No(set.Reasons);
        reply["offerset"] = PlannerLinks.OfferSet(request, set.Id);
        if (set.Yes)
        {
            reply["resources"] = Resources(set, now);
        }
        reply["offers"] = new JsonArray(set.Offers.Select(o => (JsonNode)OfferJson.Offer(o, set.Task, request, now)).ToArray());
        return reply;
    }

    static JsonObject Yes(HttpRequest request) => new()
    {
        ["reponseword"] = "YES",
        ["servicetype"] = ServiceType,
        ["serviceinfo"] = new JsonObject { ["endpoint"] = JobLinks.JobList(request), ["contract"] = OfferJson.ServiceType },
    };

    static JsonObject No(IReadOnlyList<Reason> reasons) => new()
    {
        ["reponseword"] = "NO",
        ["reponseinfo"] = new JsonObject
        {
            ["reasons"] = new JsonArray(reasons.Select(r => (JsonNode)new JsonObject { ["path"] = r.Path, ["text"] = r.Text }).ToArray()),
        },
    };

    /// <summary>The request's resources, widened to what the offers give (the note's negotiation).</summary>
    static JsonObject Resources(OfferSet set, DateTimeOffset now)
    {
        var offers = set.Offers;
        var task = set.Task;
        var resources = new JsonObject
        {
            ["mincores"] = task.Cores?.Min ?? offers.Min(o => o.Cores),
            ["maxcores"] = offers.Max(o => o.Cores),
            ["minmemory"] = MemoryQuantity.Format(task.MemoryBytes?.Min ?? offers.Min(o => o.MemoryBytes)),
            ["maxmemory"] = MemoryQuantity.Format(offers.Max(o => o.MemoryBytes)),
            ["minstartup"] = Seconds(offers.Min(o => o.Start) - now),
            ["maxstartup"] = Seconds(offers.Max(o => o.StartLatest) - now),
            ["minduration"] = Seconds(offers.Min(o => o.Duration)),
            ["maxduration"] = Seconds(offers.Max(o => o.Duration)),
        };
        if (offers.Max(o => o.StorageBytes) is { } storage)
        {
            resources["minstorage"] = MemoryQuantity.Format(task.StorageBytes?.Min ?? storage);
            resources["maxstorage"] = MemoryQuantity.Format(storage);
        }
        if (task.Data.Count > 0)
        {
            resources["data"] = new JsonArray(task.Data.Select(d => (JsonNode)JsonValue.Create(d)).ToArray());
        }
        return resources;
    }

    /// <summary>"90s", "5m", "4h": the note's way of writing times (whole seconds, the largest exact unit).</summary>
    static string Seconds(TimeSpan span)
    {
        var s = (long)Math.Max(0, Math.Ceiling(span.TotalSeconds));
        return s == 0 ? "0s"
            : s % 3600 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{s / 3600}h")
            : s % 60 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{s / 60}m")
            : string.Create(CultureInfo.InvariantCulture, $"{s}s");
    }
}
