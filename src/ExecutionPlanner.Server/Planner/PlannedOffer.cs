namespace ExecutionPlanner.Server.Planner;

/// <summary>An offer the planner would make, before it is stored.</summary>
public sealed record PlannedOffer(
    DateTimeOffset Start, DateTimeOffset StartLatest, TimeSpan Duration, decimal Cores, long MemoryBytes, long? StorageBytes);

/// <summary>The plan: offers, or the reasons there are none.</summary>
public sealed record Plan(IReadOnlyList<PlannedOffer> Offers, IReadOnlyList<Reason> Reasons)
{
    public static Plan No(params Reason[] reasons) => new([], reasons);
}
