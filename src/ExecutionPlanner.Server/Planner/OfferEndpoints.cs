using System.Text.Json;
using System.Text.Json.Nodes;
using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// GET /planner/offers/{id}, and POST to it with phase ACCEPTED, REJECTED or CANCELLED (JSON
/// {"phase": ...}, a form field phase=..., or the drafts' update message: <see cref="PhaseUpdate"/>).
/// Accepting answers with the offer, which then names the job it created.
/// </summary>
public static class OfferEndpoints
{
    public static Task<JsonHttpResult<JsonObject>> Get(
        string offerId, HttpRequest request, CallerResolver callers, OfferStore store, TimeProvider clock, CancellationToken ct) =>
        ReadAsync(offerId, PlannerDialect.ExecutionBroker, request, callers, store, clock, ct);

    public static Task<JsonHttpResult<JsonObject>> Post(
        string offerId, HttpRequest request, CallerResolver callers, OfferStore store, SessionControl control,
        TimeProvider clock, CancellationToken ct) =>
        UpdateAsync(offerId, PlannerDialect.ExecutionBroker, request, callers, store, control, clock, ct);

    /// <summary>The caller's offer (a session, in Calycopis' words) written in <paramref name="dialect"/>; 404 for anyone else's.</summary>
    internal static async Task<JsonHttpResult<JsonObject>> ReadAsync(
        string id, PlannerDialect dialect, HttpRequest request, CallerResolver callers, OfferStore store, TimeProvider clock, CancellationToken ct)
    {
        var caller = callers.Resolve(request);
        var offer = await store.GetOfferAsync(id, caller.OwnerId, ct) ?? throw NotFound(id, dialect);
        return await AnswerAsync(offer, dialect, request, store, clock, ct);
    }

    /// <summary>Applies a phase update (accept, reject, cancel) to the caller's offer and answers with it in <paramref name="dialect"/>.</summary>
    internal static async Task<JsonHttpResult<JsonObject>> UpdateAsync(
        string id, PlannerDialect dialect, HttpRequest request, CallerResolver callers, OfferStore store, SessionControl control,
        TimeProvider clock, CancellationToken ct)
    {
        var caller = callers.Resolve(request);
        var command = await PhaseUpdate.ReadAsync(request, ct);
        var offer = await control.ApplyAsync(id, caller.OwnerId, command, ct);
        return await AnswerAsync(offer, dialect, request, store, clock, ct);
    }

    static async Task<JsonHttpResult<JsonObject>> AnswerAsync(
        Offer offer, PlannerDialect dialect, HttpRequest request, OfferStore store, TimeProvider clock, CancellationToken ct)
    {
        var set = await store.GetSetAsync(offer.OfferSetId, offer.OwnerId, ct) ?? throw NotFound(offer.Id, dialect);
        return TypedResults.Json(OfferJson.Offer(offer, set.Task, request, clock.GetUtcNow(), dialect));
    }

    static UwsRequestException NotFound(string id, PlannerDialect dialect) =>
        UwsRequestException.NotFound(dialect == PlannerDialect.Calycopis ? $"No session '{id}'." : $"No offer '{id}'.");
}
