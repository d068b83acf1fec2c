using System.Text.Json.Nodes;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Planner;

/// <summary>Which routes an answer is for: ours under /planner, or Calycopis' /offersets and /sessions.</summary>
public enum PlannerDialect
{
    ExecutionBroker,
    Calycopis,
}

/// <summary>
/// The planner's answers as JSON (schemas/planner/offerset.schema.json and offer.schema.json): shapes
/// after the ExecutionBroker drafts (result, offers with phase, expires, executable, compute, schedule),
/// plus the 2021 note's service {type, endpoint}, and Calycopis' <c>meta {uuid, name, url, created,
/// messages}</c> beside our fields, with every NO reason also as a message. On Calycopis' routes an
/// offer is a session: its phase follows the job (<see cref="SessionPhases"/>) and its url is
/// /sessions/{uuid}. Memory and storage in GiB.
/// </summary>
public static class OfferJson
{
    public const string ServiceType = "simple-docker-uws";
    const decimal GiB = 1024m * 1024 * 1024;

    public static JsonObject OfferSet(OfferSet set, HttpRequest request, DateTimeOffset now, PlannerDialect dialect = PlannerDialect.ExecutionBroker) => new()
    {
        ["meta"] = Meta(set.Id, set.Task.Name,
            dialect == PlannerDialect.Calycopis ? PlannerLinks.CalycopisOfferSet(request, set.Id) : PlannerLinks.OfferSet(request, set.Id),
            set.Created, set.Reasons),
        ["id"] = set.Id,
        ["href"] = PlannerLinks.OfferSet(request, set.Id),
        ["created"] = UwsTime.Format(set.Created),
        ["expires"] = UwsTime.Format(set.Expires),
        ["result"] = set.Yes ? "YES" : "NO",
        ["reasons"] = new JsonArray(set.Reasons.Select(r => (JsonNode)new JsonObject { ["path"] = r.Path, ["text"] = r.Text }).ToArray()),
        ["offers"] = new JsonArray(set.Offers.Select(o => (JsonNode)Offer(o, set.Task, request, now, dialect)).ToArray()),
    };

    public static JsonObject Offer(Offer offer, TaskRequest task, HttpRequest request, DateTimeOffset now, PlannerDialect dialect = PlannerDialect.ExecutionBroker)
    {
        var calycopis = dialect == PlannerDialect.Calycopis;
        var json = new JsonObject
        {
            ["kind"] = SessionPhases.SimpleSessionKind,
            ["meta"] = Meta(offer.Id, task.Name,
                calycopis ? PlannerLinks.Session(request, offer.Id) : PlannerLinks.Offer(request, offer.Id), offer.Created, []),
            ["id"] = offer.Id,
            ["href"] = PlannerLinks.Offer(request, offer.Id),
            ["offerset"] = calycopis ? PlannerLinks.CalycopisOfferSet(request, offer.OfferSetId) : PlannerLinks.OfferSet(request, offer.OfferSetId),
            ["phase"] = calycopis ? SessionPhases.Of(offer, now) : offer.PhaseAt(now).ToString(),
            ["created"] = UwsTime.Format(offer.Created),
            ["expires"] = UwsTime.Format(offer.Expires),
            ["executable"] = new JsonObject
            {
                ["kind"] = calycopis ? CalycopisKinds.DockerContainer : ExecutableKinds.DockerContainer,
                ["image"] = task.Image,
                ["command"] = new JsonArray(task.Command.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()),
                ["environment"] = new JsonObject(task.Environment.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(e.Value)))),
            },
            ["compute"] = new JsonObject
            {
                ["kind"] = calycopis ? CalycopisKinds.Compute : ComputeKind,
                ["cores"] = Quantity(task.Cores?.Min, task.Cores?.Max, offer.Cores),
                ["memory"] = Quantity(Gib(task.MemoryBytes?.Min), Gib(task.MemoryBytes?.Max), Gib(offer.MemoryBytes)!.Value),
            },
            ["data"] = calycopis
                ? new JsonArray(task.Inputs.Select(i => (JsonNode)new JsonObject
                    {
                        ["kind"] = CalycopisKinds.SimpleData, ["meta"] = new JsonObject { ["name"] = i.Name }, ["location"] = i.Url,
                    }).ToArray())
                : new JsonArray(task.Data.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
            ["schedule"] = new JsonObject
            {
                ["offered"] = Slot(offer),
                // Calycopis' scheduled session names the same slot "available".
                ["available"] = Slot(offer),
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
            var offered = new JsonObject
            {
                ["kind"] = calycopis ? CalycopisKinds.Storage : StorageKind,
                ["size"] = Quantity(Gib(task.StorageBytes?.Min), Gib(task.StorageBytes?.Max), Gib(storage)!.Value),
            };
            // Calycopis lists storage resources; our offers give the one scratch area.
            json["storage"] = calycopis ? new JsonArray(offered) : offered;
        }
        if (offer.JobId is { } jobId)
        {
            json["job"] = JobLinks.Job(request, jobId);
        }
        return json;
    }

    const string ComputeKind = "https://www.purl.org/ivoa.net/EB/schema/v1.0/types/compute/simple-compute-resource-1.0";
    const string StorageKind = "https://www.purl.org/ivoa.net/EB/schema/v1.0/types/storage/simple-storage-resource-1.0";

    static JsonObject Slot(Offer offer) => new()
    {
        ["start"] = IsoDuration.FormatInterval(offer.Start, offer.StartLatest),
        ["duration"] = IsoDuration.Format(offer.Duration),
    };

    static JsonObject Meta(string id, string? name, string url, DateTimeOffset created, IReadOnlyList<Reason> reasons)
    {
        var meta = new JsonObject
        {
            ["uuid"] = id,
            ["url"] = url,
            ["created"] = UwsTime.Format(created),
            ["messages"] = new JsonArray(reasons.Select(r => (JsonNode)Message(r)).ToArray()),
        };
        if (name is not null)
        {
            meta["name"] = name;
        }
        return meta;
    }

    /// <summary>A NO reason as a Calycopis message (Message Templates: template, values, rendered message).</summary>
    public static JsonObject Message(Reason reason) => new()
    {
        ["kind"] = "https://www.purl.org/ivoa.net/Calycopis-openapi/schema/v1.0/messages/refused",
        ["level"] = "WARN",
        ["template"] = "{path}: {reason}",
        ["values"] = new JsonObject { ["path"] = reason.Path, ["reason"] = reason.Text },
        ["message"] = $"{(reason.Path.Length == 0 ? "/" : reason.Path)}: {reason.Text}",
    };

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
        // min and max beside requested/offered: what Calycopis' clients read (the offered amount).
        return new JsonObject
        {
            ["min"] = offered,
            ["max"] = offered,
            ["requested"] = requested,
            ["offered"] = new JsonObject { ["min"] = offered, ["max"] = offered },
        };
    }

    static decimal? Gib(long? bytes) => bytes is { } b ? Math.Round(b / GiB, 6) : null;
}
