namespace ExecutionPlanner.Cli.Planning;

/// <summary>How offers from many planners are put in one order (--rank, --pick).</summary>
internal enum Ranking
{
    /// <summary>Soonest start first; ties by more cores, then more memory.</summary>
    Earliest,

    /// <summary>Most cores first, then most memory, then soonest start.</summary>
    Biggest,

    /// <summary>Longest run time first, then soonest start.</summary>
    Longest,

    /// <summary>
    /// A balance: 0.4·cores + 0.3·memory + 0.3·promptness, each scaled to the best offer in the table
    /// (promptness: 1 for the soonest start, 0 for the latest), highest first.
    /// </summary>
    Score,
}
