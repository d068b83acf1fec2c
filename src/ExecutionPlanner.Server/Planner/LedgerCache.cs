using Npgsql;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// This node's capacity ledger kept in memory between requests (<see cref="LedgerBookings"/>), brought
/// up to date on each booking by reading only the rows written since the last read
/// (<see cref="LedgerStore.ReadChangesAsync"/>; why nothing is missed is written there). The first
/// booking reads everything, and so does one whose node has not read since removals it needed were
/// pruned, or whose copy failed its own consistency checks.
/// <para>
/// Callers hold the gate (<see cref="EnterAsync"/>) for the whole booking, and read under the
/// cluster's ledger lock (<see cref="OfferStore"/>), so the state is only touched by one request at a
/// time and the read sees every booking committed by any node before the lock was granted. What was
/// read is committed data, so it stays true whether the caller's own transaction then commits or
/// rolls back; the caller's own offers are read back like anyone else's on the next booking.
/// If the process dies, the copy dies with it and the next process starts with a whole read.
/// </para>
/// </summary>
public sealed partial class LedgerCache(LedgerStore store, ILogger<LedgerCache> logger) : IDisposable
{
    readonly SemaphoreSlim gate = new(1, 1);
    readonly LedgerBookings bookings = new();
    long wholeReads;

    /// <summary>How many times this node has read its whole ledger (once, unless removals it needed were pruned).</summary>
    public long WholeReads => Interlocked.Read(ref wholeReads);

    /// <summary>Waits for this node's turn at the ledger; dispose the result to let the next request in.</summary>
    public async Task<Turn> EnterAsync(CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        return new Turn(gate);
    }

    /// <summary>
    /// The ledger of <paramref name="platform"/> at <paramref name="now"/>, after reading what changed
    /// on the caller's connection and transaction. Call only inside a turn.
    /// </summary>
    public async Task<CapacityLedger> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Capacity platform, DateTimeOffset now, CancellationToken ct)
    {
        if (gate.CurrentCount != 0)
        {
            throw new InvalidOperationException("The ledger is read only inside a turn (EnterAsync).");
        }
        // A read that fails or is cancelled half way has changed nothing: changes are applied only
        // once all of them have arrived.
        var changes = bookings.Watermark is { } since
            ? await LedgerStore.ReadChangesAsync(connection, tx, since, ct)
            : null;
        if (changes is null)
        {
            changes = await LedgerStore.ReadWholeAsync(connection, tx, now, ct);
            Interlocked.Increment(ref wholeReads);
            LogWholeRead(logger, changes.Offers.Count, changes.Jobs.Count);
        }
        try
        {
            bookings.Apply(changes);
            return bookings.Ledger(platform, now, store.Defaults);
        }
        catch
        {
            // Only a bug gets here (the copy's own consistency checks); the next booking starts from a
            // whole read rather than trust this copy.
            bookings.Reset();
            throw;
        }
    }

    /// <summary>What one owner holds in open offers, as of the last read. Call only inside a turn, after <see cref="ReadAsync"/>.</summary>
    public OwnerOffers OwnerOffered(string ownerId, DateTimeOffset now) =>
        gate.CurrentCount != 0
            ? throw new InvalidOperationException("The ledger is read only inside a turn (EnterAsync).")
            : bookings.OwnerOffered(ownerId, now);

    /// <summary>When the first of one owner's open offers expires. Call only inside a turn, after <see cref="ReadAsync"/>.</summary>
    public DateTimeOffset? OwnerSoonestExpiry(string ownerId, DateTimeOffset now) =>
        gate.CurrentCount != 0
            ? throw new InvalidOperationException("The ledger is read only inside a turn (EnterAsync).")
            : bookings.OwnerSoonestExpiry(ownerId, now);

    public void Dispose() => gate.Dispose();

    [LoggerMessage(EventId = 1410, Level = LogLevel.Debug, Message = "Read the whole capacity ledger: {Offers} open offers, {Jobs} charged jobs")]
    static partial void LogWholeRead(ILogger logger, int offers, int jobs);

    /// <summary>A turn at the ledger; disposing it ends the turn.</summary>
    public readonly struct Turn(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
