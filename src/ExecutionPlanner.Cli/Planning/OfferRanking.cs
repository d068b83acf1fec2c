namespace ExecutionPlanner.Cli.Planning;

/// <summary>Reading --rank/--pick and putting offers in that order.</summary>
internal static class OfferRanking
{
    public static Ranking Parse(string text) => text.ToLowerInvariant() switch
    {
        "earliest" => Ranking.Earliest,
        "biggest" => Ranking.Biggest,
        "longest" => Ranking.Longest,
        "score" => Ranking.Score,
        _ => throw new CliException($"Unknown ranking '{text}': use earliest, biggest, longest or score.", ExitCodes.Usage),
    };

    public static List<OfferCandidate> Order(IEnumerable<OfferCandidate> offers, Ranking ranking, DateTimeOffset now)
    {
        var list = offers.ToList();
        // A missing start means "as soon as you submit" (a 2021 Note answer without startup times).
        DateTimeOffset Start(OfferCandidate o) => o.Start ?? now;
        return ranking switch
        {
            Ranking.Earliest => [.. list.OrderBy(Start).ThenByDescending(o => o.Cores ?? 0).ThenByDescending(o => o.MemoryGiB ?? 0)],
            Ranking.Biggest => [.. list.OrderByDescending(o => o.Cores ?? 0).ThenByDescending(o => o.MemoryGiB ?? 0).ThenBy(Start)],
            Ranking.Longest => [.. list.OrderByDescending(o => o.Duration ?? TimeSpan.Zero).ThenBy(Start)],
            _ => [.. list.OrderByDescending(o => Score(o, list, now)).ThenBy(Start)],
        };
    }

    public static double Score(OfferCandidate offer, IReadOnlyCollection<OfferCandidate> all, DateTimeOffset now)
    {
        var maxCores = (double)all.Max(o => o.Cores ?? 0);
        var maxMemory = (double)all.Max(o => o.MemoryGiB ?? 0);
        var waits = all.Select(o => Math.Max(0, ((o.Start ?? now) - now).TotalSeconds)).ToList();
        var (minWait, maxWait) = (waits.Min(), waits.Max());
        var wait = Math.Max(0, ((offer.Start ?? now) - now).TotalSeconds);
        var cores = maxCores > 0 ? (double)(offer.Cores ?? 0) / maxCores : 0;
        var memory = maxMemory > 0 ? (double)(offer.MemoryGiB ?? 0) / maxMemory : 0;
        var prompt = maxWait > minWait ? 1 - ((wait - minWait) / (maxWait - minWait)) : 1;
        return (0.4 * cores) + (0.3 * memory) + (0.3 * prompt);
    }
}
