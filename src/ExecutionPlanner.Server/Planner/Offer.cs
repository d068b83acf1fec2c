namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// One offer as stored: a reservation of cores and memory for a duration, starting between
/// <see cref="Start"/> and <see cref="StartLatest"/>, open until <see cref="Expires"/>.
/// </summary>
public sealed record Offer(
    string Id,
    string OfferSetId,
    string OwnerId,
    OfferPhase Phase,
    DateTimeOffset Created,
    DateTimeOffset Expires,
    DateTimeOffset Start,
    DateTimeOffset StartLatest,
    int DurationSeconds,
    decimal Cores,
    long MemoryBytes,
    long? StorageBytes,
    string? JobId,
    Jobs.ExecutionPhase? JobPhase = null)
{
    public TimeSpan Duration => TimeSpan.FromSeconds(DurationSeconds);

    /// <summary>The offered end: the latest the job may finish (the job's quote).</summary>
    public DateTimeOffset End => StartLatest + Duration;

    /// <summary>The phase a client sees: an open offer past its expiry is EXPIRED even before the sweeper marks it.</summary>
    public OfferPhase PhaseAt(DateTimeOffset now) => Phase == OfferPhase.OFFERED && Expires <= now ? OfferPhase.EXPIRED : Phase;
}
