using System.Text.Json;
using System.Text.Json.Nodes;
using ExecutionPlanner.Server.Auth;
using ExecutionPlanner.Server.Jobs;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// GET /planner/offers/{id}, and POST to it with phase ACCEPTED or REJECTED (JSON {"phase": ...} or a
/// form field phase=..., as the ExecutionBroker drafts do). Accepting answers with the offer, which
/// then names the job it created.
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
        string offerId, HttpRequest request, CallerResolver callers, OfferStore store, OfferAcceptance acceptance,
        IOptionsMonitor<JobsOptions> jobsOptions, TimeProvider clock, CancellationToken ct)
    {
        var caller = callers.Resolve(request);
        var phase = await ReadPhaseAsync(request, jobsOptions.CurrentValue, ct);
        Offer offer;
        switch (phase)
        {
            case OfferPhase.ACCEPTED:
                offer = await acceptance.AcceptAsync(offerId, caller.OwnerId, ct);
                break;
            case OfferPhase.REJECTED:
                if (!await store.TryRejectAsync(offerId, caller.OwnerId, clock.GetUtcNow(), ct))
                {
                    var current = await store.GetOfferAsync(offerId, caller.OwnerId, ct) ?? throw NoSuchOffer(offerId);
                    if (current.PhaseAt(clock.GetUtcNow()) != OfferPhase.REJECTED)
                    {
                        throw new UwsRequestException(StatusCodes.Status409Conflict,
                            $"Offer '{offerId}' is {current.PhaseAt(clock.GetUtcNow())} and can no longer be rejected.");
                    }
                }
                offer = await store.GetOfferAsync(offerId, caller.OwnerId, ct) ?? throw NoSuchOffer(offerId);
                break;
            default:
                throw UwsRequestException.BadRequest($"phase '{phase}' cannot be set by a client: send ACCEPTED or REJECTED.");
        }
        return await AnswerAsync(offer, request, store, clock, ct);
    }

    static async Task<JsonHttpResult<JsonObject>> AnswerAsync(Offer offer, HttpRequest request, OfferStore store, TimeProvider clock, CancellationToken ct)
    {
        var set = await store.GetSetAsync(offer.OfferSetId, offer.OwnerId, ct) ?? throw NoSuchOffer(offer.Id);
        return TypedResults.Json(OfferJson.Offer(offer, set.Task, request, clock.GetUtcNow()));
    }

    static async Task<OfferPhase> ReadPhaseAsync(HttpRequest request, JobsOptions limits, CancellationToken ct)
    {
        string? text;
        if (request.HasFormContentType)
        {
            // The UWS form reader: a malformed or oversized form is a 4xx with a message, not an exception.
            var form = await UwsRequestParameters.ReadAsync(request, limits, ct);
            text = form.ValuesOf("phase").FirstOrDefault();
        }
        else
        {
            try
            {
                using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
                text = document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("phase", out var p) && p.ValueKind == JsonValueKind.String
                    ? p.GetString()
                    : null;
            }
            catch (JsonException)
            {
                throw UwsRequestException.BadRequest("The body must be JSON {\"phase\": \"ACCEPTED\"} or a form phase=ACCEPTED.");
            }
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            throw UwsRequestException.BadRequest("phase is required: ACCEPTED or REJECTED.");
        }
        return Enum.TryParse<OfferPhase>(text.Trim(), ignoreCase: true, out var phase) && Enum.IsDefined(phase)
            ? phase
            : throw UwsRequestException.BadRequest($"phase '{text}' is not an offer phase: send ACCEPTED or REJECTED.");
    }

    static UwsRequestException NoSuchOffer(string offerId) => UwsRequestException.NotFound($"No offer '{offerId}'.");
}
