using System.Text.Json.Nodes;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// The planner's answers as JSON (schemas/planner/offerset.schema.json and offer.schema.json): shapes
/// after the ExecutionBroker drafts (result, offers with phase, expires, executable, compute, schedule),
/// plus the 2021 note's service {type, endpoint}. Memory and storage in GiB.
/// </summary>
public static class OfferJson
{
    public const string ServiceType = "simple-docker-uws";
    const decimal GiB = 1024m * 1024 * 1024;

    public static JsonObject OfferSet(OfferSet set, HttpRequest request, DateTimeOffset now) => new()
    {
        ["id"] = set.Id,
        ["href"] = PlannerLinks.OfferSet(request, set.Id),
        ["created"] = UwsTime.Format(set.Created),
        ["expires"] = UwsTime.Format(set.Expires),
        ["result"] = set.Yes ? "YES" : "NO",
        ["reasons"] = new JsonArray(set.Reasons.Select(r => (JsonNode)new JsonObject { ["path"] = r.Path, ["text"] = r.Text }).ToArray()),
        ["offers"] = new JsonArray(set.Offers.Select(o => (JsonNode)Offer(o, set.Task, request, now)).ToArray()),
    };

    public static JsonObject Offer(Offer offer, TaskRequest task, HttpRequest request, DateTimeOffset now)
    {
        var json = new JsonObject
        {
            ["id"] = offer.Id,
            ["href"] = PlannerLinks.Offer(request, offer.Id),
            ["offerset"] = PlannerLinks.OfferSet(request, offer.OfferSetId),
            ["phase"] = offer.PhaseAt(now).ToString(),
            ["created"] = UwsTime.Format(offer.Created),
            ["expires"] = UwsTime.Format(offer.Expires),
            ["executable"] = new JsonObject
            {
                ["kind"] = ExecutableKinds.DockerContainer,
                ["image"] = task.Image,
                ["command"] = new JsonArray(task.Command.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()),
                ["environment"] = new JsonObject(task.Environment.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(e.Value)))),
            },
            ["compute"] = new JsonObject
            {
                ["cores"] = Quantity(task.Cores?.Min, task.Cores?.Max, offer.Cores),
                ["memory"] = Quantity(Gib(task.MemoryBytes?.Min), Gib(task.MemoryBytes?.Max), Gib(offer.MemoryBytes)!.Value),
            },
            ["data"] = new JsonArray(task.Data.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
            ["schedule"] = new JsonObject
            {
                ["offered"] = new JsonObject
                {
                    ["start"] = IsoDuration.FormatInterval(offer.Start, offer.StartLatest),
                    ["duration"] = IsoDuration.Format(offer.Duration),
                },
            },
            ["service"] = new JsonObject
            {
                ["type"] = ServiceType,
                ["endpoint"] = JobLinks.JobList(request),
            },
        };
        if (task.Name is { } name)
        {
            json["name"] = name;
        }
        if (offer.StorageBytes is { } storage)
        {
            json["storage"] = new JsonObject
            {
                ["size"] = Quantity(Gib(task.StorageBytes?.Min), Gib(task.StorageBytes?.Max), Gib(storage)!.Value),
            };
        }
        if (offer.JobId is { } jobId)
        {
            json["job"] = JobLinks.Job(request, jobId);
        }
        return json;
    }

    static JsonObject Quantity(decimal? min, decimal? max, decimal offered)
    {
        var requested = new JsonObject();
        if (min is { } lo)
        {
            requested["min"] = lo;
        }
        if (max is { } hi)
        {
            requested["max"] = hi;
        }
        return new JsonObject
        {
            ["requested"] = requested,
            ["offered"] = new JsonObject { ["min"] = offered, ["max"] = offered },
        };
    }

    static decimal? Gib(long? bytes) => bytes is { } b ? Math.Round(b / GiB, 6) : null;
}
