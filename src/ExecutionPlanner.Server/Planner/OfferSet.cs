namespace ExecutionPlanner.Server.Planner;

/// <summary>The planner's answer to one request: YES with offers, or NO with reasons.</summary>
public sealed record OfferSet(
    string Id,
    string OwnerId,
    DateTimeOffset Created,
    DateTimeOffset Expires,
    IReadOnlyList<Reason> Reasons,
    TaskRequest Task,
    IReadOnlyList<Offer> Offers)
{
    public bool Yes => Offers.Count > 0;
}
