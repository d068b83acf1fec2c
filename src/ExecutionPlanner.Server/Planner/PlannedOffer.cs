namespace ExecutionPlanner.Server.Planner;

/// <summary>An offer the planner would make, before it is stored.</summary>
public sealed record PlannedOffer(
    DateTimeOffset Start, DateTimeOffset StartLatest, TimeSpan Duration, decimal Cores, long MemoryBytes, long? StorageBytes);

/// <summary>The plan: offers, or the reasons there are none.</summary>
public sealed record Plan(IReadOnlyList<PlannedOffer> Offers, IReadOnlyList<Reason> Reasons)
{
    public static Plan No(params Reason[] reasons) => new([], reasons);
}

/// <summary>Most cores and memory one owner may hold in open offers (Planner:OwnerOfferShare, AnonymousOfferShare).</summary>
public readonly record struct OfferCap(decimal Cores, long MemoryBytes)
{
    public static OfferCap For(Capacity platform, PlannerOptions options, bool anonymous)
    {
        var share = anonymous ? options.AnonymousOfferShare : options.OwnerOfferShare;
        var memory = platform.MemoryBytes * share;
        return new OfferCap(platform.Cores * share, memory >= long.MaxValue ? long.MaxValue : (long)memory);
    }
}

/// <summary>What one owner holds in open offers.</summary>
public readonly record struct OwnerOffers(decimal Cores, long MemoryBytes);
