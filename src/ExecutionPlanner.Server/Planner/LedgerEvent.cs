namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// One step of the ledger: at <see cref="Time"/> (UTC ticks) the use changes by these many millicores
/// and bytes (positive where a booking starts, negative where it ends). Ordered by time, then by the
/// changes, so equal events sort together and a multiset of them can be merged and subtracted in one pass.
/// </summary>
public readonly record struct LedgerEvent(long Time, long CoresMilli, long MemoryBytes) : IComparable<LedgerEvent>
{
    public int CompareTo(LedgerEvent other)
    {
        var c = Time.CompareTo(other.Time);
        if (c != 0)
        {
            return c;
        }
        c = CoresMilli.CompareTo(other.CoresMilli);
        return c != 0 ? c : MemoryBytes.CompareTo(other.MemoryBytes);
    }

    /// <summary>Cores in millicores, rounded up (offers and job parameters have at most three decimals; more can only be over-charged).</summary>
    public static long Milli(decimal cores) => (long)decimal.Ceiling(cores * 1000m);

    /// <summary>The start and end events of a booking; nothing for an empty one.</summary>
    public static (LedgerEvent Start, LedgerEvent End)? Of(Booking b)
    {
        if (b.End <= b.Start)
        {
            return null;
        }
        var cores = Milli(b.Cores);
        return (new LedgerEvent(b.Start.UtcTicks, cores, b.MemoryBytes), new LedgerEvent(b.End.UtcTicks, -cores, -b.MemoryBytes));
    }

    public static bool operator <(LedgerEvent left, LedgerEvent right) => left.CompareTo(right) < 0;

    public static bool operator >(LedgerEvent left, LedgerEvent right) => left.CompareTo(right) > 0;

    public static bool operator <=(LedgerEvent left, LedgerEvent right) => left.CompareTo(right) <= 0;

    public static bool operator >=(LedgerEvent left, LedgerEvent right) => left.CompareTo(right) >= 0;
}
