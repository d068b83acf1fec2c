using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// An ExecutionBroker session's phase, read from the offer and, once accepted, its UWS job:
/// OFFERED, REJECTED, EXPIRED before; then WAITING (job PENDING or HELD), PREPARING (QUEUED),
/// RUNNING (EXECUTING, SUSPENDED), COMPLETED (COMPLETED, ARCHIVED), FAILED (ERROR) and CANCELLED
/// (ABORTED, or the job deleted).
/// </summary>
public static class SessionPhases
{
    public const string SimpleSessionKind = CalycopisKinds.SimpleSession;

    public static string Of(Offer offer, DateTimeOffset now) => offer.PhaseAt(now) switch
    {
        OfferPhase.ACCEPTED => offer.JobId is null ? "ACCEPTED" : Of(offer.JobPhase),
        var phase => phase.ToString(),
    };

    static string Of(ExecutionPhase? job) => job switch
    {
        ExecutionPhase.PENDING or ExecutionPhase.HELD => "WAITING",
        ExecutionPhase.QUEUED => "PREPARING",
        ExecutionPhase.EXECUTING or ExecutionPhase.SUSPENDED => "RUNNING",
        ExecutionPhase.COMPLETED or ExecutionPhase.ARCHIVED => "COMPLETED",
        ExecutionPhase.ERROR => "FAILED",
        ExecutionPhase.ABORTED or null => "CANCELLED",
        _ => "WAITING",
    };

    /// <summary>The session has ended: nothing left to cancel.</summary>
    public static bool IsFinal(string phase) => phase is "COMPLETED" or "FAILED" or "CANCELLED" or "REJECTED" or "EXPIRED";
}
