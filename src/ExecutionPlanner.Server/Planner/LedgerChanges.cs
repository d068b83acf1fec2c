namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// Where a read of the database stood: the snapshot it read in. A row version written by a transaction
/// this snapshot did not see has a <c>ledger_xid</c> at or above <see cref="Xmax"/> or in
/// <see cref="InProgress"/>; everything below <see cref="Xmin"/> had ended when the read began.
/// </summary>
public sealed record LedgerWatermark(ulong Xmin, ulong Xmax, ulong[] InProgress);

/// <summary>
/// What one read of the database found: every charged row (<see cref="Whole"/>) or the rows written
/// since the last read's snapshot, and the ids deleted since, with the snapshot read in.
/// </summary>
public sealed record LedgerChanges(
    bool Whole,
    LedgerWatermark Watermark,
    IReadOnlyList<LedgerOfferRow> Offers,
    IReadOnlyList<LedgerJobRow> Jobs,
    IReadOnlyList<string> RemovedOffers,
    IReadOnlyList<string> RemovedJobs);
