using System.Buffers;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// One node's copy of what holds capacity: the open offers and the charged jobs, by id, as of the
/// last read of the database, brought up to date by applying what changed since. Pure (no I/O, no
/// clock): time comes in as <c>now</c>, so open offers past their expiry drop out by time alone,
/// whether or not the sweeper has marked them EXPIRED yet. The open offers' ledger events are kept
/// sorted between requests, and what changed is merged in, so building the ledger costs O(n) rather
/// than a sort of every booking; jobs (fewer, and charged relative to now) are sorted on each build.
/// Not thread-safe: <see cref="LedgerCache"/> uses it under its gate.
/// </summary>
public sealed class LedgerBookings
{
    readonly Dictionary<string, LedgerOfferRow> offers = new(StringComparer.Ordinal);

    // Each owner's open offers summed (the cap on unaccepted offers), kept with every put and removal.
    readonly Dictionary<string, (decimal Cores, long MemoryBytes, int Count)> owners = new(StringComparer.Ordinal);
    readonly Dictionary<string, LedgerJobRow> jobs = new(StringComparer.Ordinal);
    // Open offers by expiry, for dropping them by time; an entry whose offer has gone or changed is skipped.
    readonly PriorityQueue<string, DateTimeOffset> expiries = new();
    // The open offers' start and end events, sorted, as of the last build; the changes since, with +1 or -1.
    LedgerEvent[] offerEvents = [];
    int offerEventCount;
    LedgerEvent[] spareEvents = [];
    readonly List<(LedgerEvent Event, int Change)> pendingEvents = [];

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
            Clear();
        }
        else if (Watermark is null)
        {
            throw new InvalidOperationException("Changes since a read can only be applied on top of a whole read.");
        }
        foreach (var offer in changes.Offers)
        {
            if (offer.Phase == OfferPhase.OFFERED)
            {
                PutOffer(offer);
            }
            else
            {
                RemoveOffer(offer.Id);
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
            RemoveOffer(id);
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
        Clear();
        Watermark = null;
    }

    void Clear()
    {
        offers.Clear();
        owners.Clear();
        jobs.Clear();
        expiries.Clear();
        offerEventCount = 0;
        pendingEvents.Clear();
    }

    void PutOffer(LedgerOfferRow offer)
    {
        var known = offers.TryGetValue(offer.Id, out var old);
        if (known && old == offer)
        {
            return;
        }
        if (known)
        {
            ChangeEvents(old, -1);
            Own(old, -1);
        }
        offers[offer.Id] = offer;
        ChangeEvents(offer, +1);
        Own(offer, +1);
        if (!known || old.Expires != offer.Expires)
        {
            expiries.Enqueue(offer.Id, offer.Expires);
        }
    }

    void RemoveOffer(string id)
    {
        if (offers.Remove(id, out var old))
        {
            ChangeEvents(old, -1);
            Own(old, -1);
        }
    }

    void Own(LedgerOfferRow offer, int change)
    {
        var (cores, memory, count) = owners.GetValueOrDefault(offer.OwnerId);
        count += change;
        if (count == 0)
        {
            owners.Remove(offer.OwnerId);
            return;
        }
        owners[offer.OwnerId] = (cores + change * offer.Cores, memory + change * offer.MemoryBytes, count);
    }

    void ChangeEvents(LedgerOfferRow offer, int change)
    {
        if (LedgerEvent.Of(Charge(offer)) is var (start, end))
        {
            pendingEvents.Add((start, change));
            pendingEvents.Add((end, change));
        }
    }

    static Booking Charge(LedgerOfferRow o) => new(o.Start, o.Start.AddSeconds(o.DurationSeconds), o.Cores, o.MemoryBytes);

    /// <summary>
    /// What one owner holds in open offers at <paramref name="now"/>: the cap on unaccepted offers
    /// (<see cref="OfferCap"/>) is checked against it. Kept as a running sum, no pass over the offers.
    /// </summary>
    public OwnerOffers OwnerOffered(string ownerId, DateTimeOffset now)
    {
        Expire(now);
        var (cores, memory, _) = owners.GetValueOrDefault(ownerId);
        return new OwnerOffers(cores, memory);
    }

    /// <summary>When the first of one owner's open offers expires (for the NO that the cap gives): a pass over the offers.</summary>
    public DateTimeOffset? OwnerSoonestExpiry(string ownerId, DateTimeOffset now)
    {
        DateTimeOffset? soonest = null;
        foreach (var offer in offers.Values)
        {
            if (offer.Expires > now && string.Equals(offer.OwnerId, ownerId, StringComparison.Ordinal)
                && (soonest is not { } s || offer.Expires < s))
            {
                soonest = offer.Expires;
            }
        }
        return soonest;
    }

    /// <summary>Forgets open offers whose expiry has come.</summary>
    void Expire(DateTimeOffset now)
    {
        while (expiries.TryPeek(out var id, out var expires) && expires <= now)
        {
            expiries.Dequeue();
            if (offers.TryGetValue(id, out var offer) && offer.Expires <= now)
            {
                RemoveOffer(id);
            }
        }
    }

    /// <summary>
    /// The ledger at <paramref name="now"/>: the open offers not yet expired and every charged job, as
    /// <see cref="Bookings"/> lists them. (Offers starting after the window being planned are charged
    /// too; they change no slot in it, since a slot only counts steps before its own end.)
    /// </summary>
    public CapacityLedger Ledger(Capacity capacity, DateTimeOffset now, JobDefaults defaults)
    {
        Expire(now);
        MergePendingEvents();
        var jobEvents = ArrayPool<LedgerEvent>.Shared.Rent(jobs.Count * 2);
        var jobTimes = ArrayPool<long>.Shared.Rent(jobs.Count * 2);
        try
        {
            var count = 0;
            foreach (var j in jobs.Values)
            {
                if (LedgerEvent.Of(Charge(j, now, defaults)) is var (start, end))
                {
                    jobTimes[count] = start.Time;
                    jobEvents[count++] = start;
                    jobTimes[count] = end.Time;
                    jobEvents[count++] = end;
                }
            }
            // By time only (all the step fold needs), with the times as primitive keys: about twice as fast.
            Array.Sort(jobTimes, jobEvents, 0, count);
            return new CapacityLedger(capacity, offerEvents.AsSpan(0, offerEventCount), jobEvents.AsSpan(0, count));
        }
        finally
        {
            ArrayPool<LedgerEvent>.Shared.Return(jobEvents);
            ArrayPool<long>.Shared.Return(jobTimes);
        }
    }

    /// <summary>
    /// Merges the changes since the last build into the sorted offer events in one pass: for each
    /// event, the copies already there plus the changes to it (a multiset, so an offer added and
    /// removed between two builds cancels out, and two equal offers stay two).
    /// </summary>
    void MergePendingEvents()
    {
        if (pendingEvents.Count == 0)
        {
            return;
        }
        pendingEvents.Sort((x, y) => x.Event.CompareTo(y.Event));
        var added = 0;
        foreach (var (_, change) in pendingEvents)
        {
            added += Math.Max(change, 0);
        }
        if (spareEvents.Length < offerEventCount + added)
        {
            spareEvents = new LedgerEvent[Math.Max(offerEventCount + added, offerEventCount * 3 / 2)];
        }
        var output = spareEvents;
        int o = 0, p = 0, written = 0;
        while (o < offerEventCount || p < pendingEvents.Count)
        {
            var e = p >= pendingEvents.Count || (o < offerEventCount && offerEvents[o] <= pendingEvents[p].Event)
                ? offerEvents[o]
                : pendingEvents[p].Event;
            var copies = 0;
            for (; o < offerEventCount && offerEvents[o] == e; o++)
            {
                copies++;
            }
            for (; p < pendingEvents.Count && pendingEvents[p].Event == e; p++)
            {
                copies += pendingEvents[p].Change;
            }
            if (copies < 0)
            {
                throw new InvalidOperationException("An offer's events were removed from the ledger more often than they were added.");
            }
            for (; copies > 0; copies--)
            {
                output[written++] = e;
            }
        }
        spareEvents = offerEvents;
        offerEvents = output;
        offerEventCount = written;
        pendingEvents.Clear();
    }

    /// <summary>
    /// What <see cref="Ledger"/> charges at <paramref name="now"/>, as bookings (for tests and
    /// diagnostics): every open offer not yet expired (expired ones are forgotten), and every charged
    /// job for its remaining executionDuration: an executing job until its start plus
    /// executionDuration, a queued job from now, a held job from its offer's slot (or now, once the
    /// slot has come).
    /// </summary>
    internal List<Booking> Bookings(DateTimeOffset now, JobDefaults defaults)
    {
        Expire(now);
        var bookings = new List<Booking>(offers.Count + jobs.Count);
        bookings.AddRange(offers.Values.Select(Charge));
        bookings.AddRange(jobs.Values.Select(j => Charge(j, now, defaults)));
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
