using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// One node's copy of what holds capacity: the open offers and the charged jobs, by id, as of the
/// last read of the database, brought up to date by applying what changed since. Pure (no I/O, no
/// clock): time comes in as <c>now</c>, so open offers past their expiry drop out by time alone,
/// whether or not the sweeper has marked them EXPIRED yet. Not thread-safe: <see cref="LedgerCache"/>
/// uses it under its gate.
/// </summary>
public sealed class LedgerBookings
{
    readonly Dictionary<string, LedgerOfferRow> offers = new(StringComparer.Ordinal);
    readonly Dictionary<string, LedgerJobRow> jobs = new(StringComparer.Ordinal);

    /// <summary>The snapshot of the last read applied; null until the first (whole) read.</summary>
    public LedgerWatermark? Watermark { get; private set; }

    public int OfferCount => offers.Count;

    public int JobCount => jobs.Count;

    /// <summary>
    /// Applies one read: a whole read replaces everything; otherwise each row read replaces what was
    /// known of it (a row no longer charged is dropped), then removals drop their ids. Changes must
    /// be applied in the order they were read, and only when the read completed.
    /// </summary>
    public void Apply(LedgerChanges changes)
    {
        if (changes.Whole)
        {
            offers.Clear();
            jobs.Clear();
        }
        else if (Watermark is null)
        {
            throw new InvalidOperationException("Changes since a read can only be applied on top of a whole read.");
        }
        foreach (var offer in changes.Offers)
        {
            if (offer.Phase == OfferPhase.OFFERED)
            {
                offers[offer.Id] = offer;
            }
            else
            {
                offers.Remove(offer.Id);
            }
        }
        foreach (var job in changes.Jobs)
        {
            if (job.IsCharged)
            {
                jobs[job.Id] = job;
            }
            else
            {
                jobs.Remove(job.Id);
            }
        }
        foreach (var id in changes.RemovedOffers)
        {
            offers.Remove(id);
        }
        foreach (var id in changes.RemovedJobs)
        {
            jobs.Remove(id);
        }
        Watermark = changes.Watermark;
    }

    /// <summary>Forgets everything: the next read must be whole.</summary>
    public void Reset()
    {
        offers.Clear();
        jobs.Clear();
        Watermark = null;
    }

    /// <summary>
    /// The bookings at <paramref name="now"/>: every open offer not yet expired that starts before
    /// <paramref name="until"/> (expired ones are forgotten), and every charged job for its remaining
    /// executionDuration: an executing job until its start plus executionDuration, a queued job from
    /// now, a held job from its offer's slot (or now, once the slot has come).
    /// </summary>
    public List<Booking> Bookings(DateTimeOffset now, DateTimeOffset until, JobDefaults defaults)
    {
        var bookings = new List<Booking>(offers.Count + jobs.Count);
        List<string>? expired = null;
        foreach (var (id, o) in offers)
        {
            if (o.Expires <= now)
            {
                (expired ??= []).Add(id);
            }
            else if (o.Start < until)
            {
                bookings.Add(new Booking(o.Start, o.Start.AddSeconds(o.DurationSeconds), o.Cores, o.MemoryBytes));
            }
        }
        foreach (var id in expired ?? [])
        {
            offers.Remove(id);
        }
        foreach (var j in jobs.Values)
        {
            bookings.Add(Charge(j, now, defaults));
        }
        return bookings;
    }

    internal static Booking Charge(LedgerJobRow j, DateTimeOffset now, JobDefaults defaults)
    {
        var duration = j.ExecutionDurationSeconds > 0 ? TimeSpan.FromSeconds(j.ExecutionDurationSeconds) : defaults.UnlimitedDuration;
        var start = j.Phase switch
        {
            ExecutionPhase.EXECUTING when j.StartTime is { } started => started,
            ExecutionPhase.HELD when j.OfferStart is { } slot && slot > now => slot,
            _ => now,
        };
        var end = start + duration;
        if (end <= now)
        {
            // Over its time but not yet stopped: it holds its limits a little longer.
            end = now + TimeSpan.FromSeconds(1);
        }
        return new Booking(start, end, j.Cores ?? defaults.Cores, j.MemoryBytes ?? defaults.MemoryBytes);
    }
}
