using ExecutionPlanner.Server.Planner;

namespace ExecutionPlanner.Tests.Planner;

/// <summary>The ledger's arithmetic, without a database.</summary>
[Parallelizable(ParallelScope.Children)]
public sealed class CapacityLedgerTests
{
    static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    static readonly Capacity Four = new(4, 8L << 30);

    static Booking Book(double fromHours, double toHours, decimal cores, long gib = 1) =>
        new(T0.AddHours(fromHours), T0.AddHours(toHours), cores, gib << 30);

    static Slot FirstFit(CapacityLedger ledger, decimal cores, TimeSpan duration, double windowHours = 48) =>
        ledger.Slots(T0, T0.AddHours(windowHours), duration).First(s => s.FreeCores >= cores);

    [Test]
    public void An_empty_ledger_offers_the_whole_platform_at_the_window_start()
    {
        var slot = new CapacityLedger(Four, []).Slots(T0, T0.AddHours(1), TimeSpan.FromHours(1)).First();
        Assert.That(slot, Is.EqualTo(new Slot(T0, TimeSpan.FromHours(1), 4, 8L << 30)));
    }

    [Test]
    public void A_full_platform_moves_the_first_fit_to_the_end_of_the_booking()
    {
        var ledger = new CapacityLedger(Four, [Book(0, 1, 4)]);
        Assert.That(FirstFit(ledger, 1, TimeSpan.FromMinutes(10)).Start, Is.EqualTo(T0.AddHours(1)));
    }

    [Test]
    public void A_booking_later_in_the_span_counts_against_an_earlier_start()
    {
        // Free now, but the platform is full from 0:30, so a one-hour task cannot start before 1:30.
        var ledger = new CapacityLedger(Four, [Book(0.5, 1.5, 4)]);
        Assert.That(FirstFit(ledger, 1, TimeSpan.FromHours(1)).Start, Is.EqualTo(T0.AddHours(1.5)));
        Assert.That(FirstFit(ledger, 1, TimeSpan.FromMinutes(30)).Start, Is.EqualTo(T0));
    }

    [Test]
    public void Free_capacity_is_the_capacity_minus_the_peak_within_the_span()
    {
        var ledger = new CapacityLedger(Four, [Book(0, 1, 1), Book(0.5, 2, 2), Book(3, 4, 4)]);
        var slots = ledger.Slots(T0, T0.AddHours(5), TimeSpan.FromHours(1)).ToList();
        Assert.That(slots.Select(s => (s.Start, s.FreeCores)), Is.EqualTo(new[]
        {
            (T0, 1m),               // 0:00-1:00 peaks at 3 (0:30-1:00)
            (T0.AddHours(0.5), 1m), // 0:30-1:30 peaks at 3
            (T0.AddHours(1), 2m),   // 1:00-2:00 has 2
            (T0.AddHours(2), 4m),   // 2:00-3:00 free
            (T0.AddHours(3), 0m),
            (T0.AddHours(4), 4m),
        }));
    }

    [Test]
    public void Many_small_bookings_leave_room_where_they_do_not_overlap()
    {
        var bookings = Enumerable.Range(0, 10_000).Select(i => Book(i * 0.01, i * 0.01 + 1, 0.25m)).ToList();
        var ledger = new CapacityLedger(new Capacity(64, 256L << 30), bookings);
        // About 100 overlap at any time (25 cores), so 1 core fits at once.
        Assert.That(FirstFit(ledger, 1, TimeSpan.FromHours(1)).Start, Is.EqualTo(T0));
        // 40 cores do not fit until the bookings thin out at the end.
        Assert.That(FirstFit(ledger, 40, TimeSpan.FromHours(1), windowHours: 200).Start, Is.GreaterThan(T0.AddHours(99)));
    }
}
