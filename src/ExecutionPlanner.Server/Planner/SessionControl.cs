using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Store;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// A client's decision on an offer (a session, in Calycopis' words): accept it (a job is created),
/// reject it, or cancel it. Cancelling an open offer rejects it; cancelling an accepted one aborts its
/// job, before or during its slot, through the one phase writer, so the job leaves the ledger's
/// charged phases and its capacity is free for the next booking on every node.
/// </summary>
public sealed class SessionControl(OfferStore store, OfferAcceptance acceptance, JobPhaseChanger phases, TimeProvider clock)
{
    public async Task<Offer> ApplyAsync(string offerId, string ownerId, SessionCommand command, CancellationToken ct)
    {
        switch (command)
        {
            case SessionCommand.Accept:
                await acceptance.AcceptAsync(offerId, ownerId, ct);
                break;
            case SessionCommand.Reject:
                await RejectAsync(offerId, ownerId, "rejected", ct);
                break;
            case SessionCommand.Cancel:
                await CancelAsync(offerId, ownerId, ct);
                break;
        }
        return await store.GetOfferAsync(offerId, ownerId, ct) ?? throw NoSuchOffer(offerId);
    }

    async Task RejectAsync(string offerId, string ownerId, string verb, CancellationToken ct)
    {
        if (await store.TryRejectAsync(offerId, ownerId, clock.GetUtcNow(), ct))
        {
            return;
        }
        var current = await store.GetOfferAsync(offerId, ownerId, ct) ?? throw NoSuchOffer(offerId);
        var phase = current.PhaseAt(clock.GetUtcNow());
        if (phase != OfferPhase.REJECTED)
        {
            throw new UwsRequestException(StatusCodes.Status409Conflict, $"Offer '{offerId}' is {phase} and can no longer be {verb}.");
        }
    }

    async Task CancelAsync(string offerId, string ownerId, CancellationToken ct)
    {
        var offer = await store.GetOfferAsync(offerId, ownerId, ct) ?? throw NoSuchOffer(offerId);
        if (offer.PhaseAt(clock.GetUtcNow()) == OfferPhase.OFFERED)
        {
            await RejectAsync(offerId, ownerId, "cancelled", ct);
            return;
        }
        var session = SessionPhases.Of(offer, clock.GetUtcNow());
        if (offer.JobId is not { } jobId || SessionPhases.IsFinal(session))
        {
            throw new UwsRequestException(StatusCodes.Status409Conflict, $"Session '{offerId}' is {session} and has nothing left to cancel.");
        }
        // The job may move on between tries (HELD -> QUEUED -> EXECUTING); each round either aborts it
        // or finds it ended. A job that ended first is not an error: the session reads its end.
        for (var attempt = 0; attempt < 8; attempt++)
        {
            if (await phases.TryMoveAsync(jobId, ExecutionPhase.ABORTED, PhaseTransitions.Abortable, ct))
            {
                return;
            }
            var now = await store.GetOfferAsync(offerId, ownerId, ct) ?? throw NoSuchOffer(offerId);
            if (now.JobPhase is not { } phase || !PhaseTransitions.Abortable.Contains(phase))
            {
                return;
            }
        }
        throw new UwsRequestException(StatusCodes.Status409Conflict, $"Session '{offerId}' kept changing phase; try cancelling again.");
    }

    static UwsRequestException NoSuchOffer(string offerId) => UwsRequestException.NotFound($"No offer '{offerId}'.");
}
