using System.Text.Json.Nodes;
using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// Today's Calycopis-openapi routes beside ours (schema/v1.0/execution-broker.yaml): POST /requests
/// answers 303 to /offersets/{uuid}; GET /offersets/{uuid}; GET /sessions/{uuid} (an offer, whose
/// phase follows its job once accepted); POST /sessions/{uuid} with an update message to accept,
/// reject or cancel it. The same owner rules as /jobs: another owner's offer set or session is 404.
/// </summary>
public static class CalycopisEndpoints
{
    public static async Task<SeeOther> Request(HttpRequest request, OfferSetBooking booking, CancellationToken ct)
    {
        var (set, _) = await booking.BookAsync(request, ct);
        return new SeeOther(PlannerLinks.CalycopisOfferSet(request, set.Id));
    }

    public static async Task<JsonHttpResult<JsonObject>> GetOfferSet(
        string uuid, HttpRequest request, CallerResolver callers, OfferStore store, TimeProvider clock, CancellationToken ct)
    {
        var caller = callers.Resolve(request);
        var set = await store.GetSetAsync(uuid, caller.OwnerId, ct) ?? throw UwsRequestException.NotFound($"No offer set '{uuid}'.");
        return TypedResults.Json(OfferJson.OfferSet(set, request, clock.GetUtcNow(), PlannerDialect.Calycopis));
    }

    public static Task<JsonHttpResult<JsonObject>> GetSession(
        string uuid, HttpRequest request, CallerResolver callers, OfferStore store, TimeProvider clock, CancellationToken ct) =>
        OfferEndpoints.ReadAsync(uuid, PlannerDialect.Calycopis, request, callers, store, clock, ct);

    public static Task<JsonHttpResult<JsonObject>> UpdateSession(
        string uuid, HttpRequest request, CallerResolver callers, OfferStore store, SessionControl control,
        TimeProvider clock, CancellationToken ct) =>
        OfferEndpoints.UpdateAsync(uuid, PlannerDialect.Calycopis, request, callers, store, control, clock, ct);
}
