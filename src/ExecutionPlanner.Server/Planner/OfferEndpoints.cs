using System.Text.Json;
using System.Text.Json.Nodes;
using ExecutionPlanner.Server.Auth;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// GET /planner/offers/{id}, and POST to it with phase ACCEPTED, REJECTED or CANCELLED (JSON
/// {"phase": ...}, a form field phase=..., or the drafts' update message: <see cref="PhaseUpdate"/>).
/// Accepting answers with the offer, which then names the job it created.
/// </summary>
public static class OfferEndpoints
{
    public static async Task<JsonHttpResult<JsonObject>> Get(
        string offerId, HttpRequest request, CallerResolver callers, OfferStore store, TimeProvider clock, CancellationToken ct)
    {
        var caller = callers.Resolve(request);
        var offer = await store.GetOfferAsync(offerId, caller.OwnerId, ct) ?? throw NoSuchOffer(offerId);
        return await AnswerAsync(offer, request, store, clock, ct);
    }

    public static async Task<JsonHttpResult<JsonObject>> Post(
        string offerId, HttpRequest request, CallerResolver callers, OfferStore store, SessionControl control,
        TimeProvider clock, CancellationToken ct)
    {
        var caller = callers.Resolve(request);
        var command = await PhaseUpdate.ReadAsync(request, ct);
        var offer = await control.ApplyAsync(offerId, caller.OwnerId, command, ct);
        return await AnswerAsync(offer, request, store, clock, ct);
    }

    static async Task<JsonHttpResult<JsonObject>> AnswerAsync(Offer offer, HttpRequest request, OfferStore store, TimeProvider clock, CancellationToken ct)
    {
        var set = await store.GetSetAsync(offer.OfferSetId, offer.OwnerId, ct) ?? throw NoSuchOffer(offer.Id);
        return TypedResults.Json(OfferJson.Offer(offer, set.Task, request, clock.GetUtcNow()));
    }

    static UwsRequestException NoSuchOffer(string offerId) => UwsRequestException.NotFound($"No offer '{offerId}'.");
}
