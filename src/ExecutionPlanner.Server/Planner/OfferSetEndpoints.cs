using System.Text.Json.Nodes;
using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// POST /planner/offersets (ask for offers; a request in the 2021 note's form gets the note's answer)
/// and GET /planner/offersets/{id}.
/// </summary>
public static class OfferSetEndpoints
{
    public static async Task<JsonHttpResult<JsonObject>> Create(HttpRequest request, OfferSetBooking booking, CancellationToken ct)
    {
        var (set, now) = await booking.BookAsync(request, ct);
        return TypedResults.Json(set.Task.Note2021 ? Note2021Json.Reply(set, request, now) : OfferJson.OfferSet(set, request, now));
    }

    public static async Task<JsonHttpResult<JsonObject>> Get(
        string offerSetId, HttpRequest request, CallerResolver callers, OfferStore store, TimeProvider clock, CancellationToken ct)
    {
        var caller = callers.Resolve(request);
        var set = await store.GetSetAsync(offerSetId, caller.OwnerId, ct)
            ?? throw UwsRequestException.NotFound($"No offer set '{offerSetId}'.");
        return TypedResults.Json(OfferJson.OfferSet(set, request, clock.GetUtcNow()));
    }
}
