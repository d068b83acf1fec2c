namespace ExecutionPlanner.Cli.Planning;

/// <summary>
/// One offer, read from any dialect into the same terms, so that offers from different planners can be
/// ranked together. A 2021 Note YES has no offer resource: it becomes a candidate with no Href, run by
/// submitting the job straight to its endpoint.
/// </summary>
internal sealed record OfferCandidate
{
    public required PlannerService Service { get; init; }

    public required string Dialect { get; init; }

    public string? Id { get; init; }

    /// <summary>The offer's own URL, to accept or reject it; null when there is nothing to accept (2021 Note).</summary>
    public Uri? Href { get; init; }

    public DateTimeOffset? Start { get; init; }

    public DateTimeOffset? StartLatest { get; init; }

    public TimeSpan? Duration { get; init; }

    public decimal? Cores { get; init; }

    public decimal? MemoryGiB { get; init; }

    public DateTimeOffset? Expires { get; init; }

    public string? ServiceType { get; init; }

    /// <summary>Where the work is done: the UWS job list (ours, the Note's serviceinfo.endpoint).</summary>
    public Uri? Endpoint { get; init; }
}
