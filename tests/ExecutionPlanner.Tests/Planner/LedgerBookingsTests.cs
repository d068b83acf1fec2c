using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Planner;

namespace ExecutionPlanner.Tests.Planner;

/// <summary>A node's in-memory copy of the ledger: applying whole reads and changes, and charging by time, without a database.</summary>
[Parallelizable(ParallelScope.Children)]
public sealed class LedgerBookingsTests
{
    static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    static readonly Capacity Platform = new(16, 64L << 30);
    static readonly JobDefaults Defaults = new(1, 1L << 30, TimeSpan.FromDays(2));
    static readonly LedgerWatermark W1 = new(10, 12, [11]);
    static readonly LedgerWatermark W2 = new(12, 15, []);

    static LedgerOfferRow Offer(string id, double startHours, double expiresHours, OfferPhase phase = OfferPhase.OFFERED) =>
        new(id, phase, T0.AddHours(expiresHours), T0.AddHours(startHours), 3600, 2, 2L << 30);

    static LedgerJobRow Job(string id, ExecutionPhase phase, DateTimeOffset? started = null, int seconds = 3600,
        DateTimeOffset? slot = null, decimal? cores = 4, long? memory = 4L << 30) =>
        new(id, phase, started, seconds, slot, cores, memory);

    static LedgerChanges Whole(IReadOnlyList<LedgerOfferRow>? offers = null, IReadOnlyList<LedgerJobRow>? jobs = null) =>
        new(true, W1, offers ?? [], jobs ?? [], [], []);

    static LedgerChanges Since(IReadOnlyList<LedgerOfferRow>? offers = null, IReadOnlyList<LedgerJobRow>? jobs = null,
        IReadOnlyList<string>? removedOffers = null, IReadOnlyList<string>? removedJobs = null) =>
        new(false, W2, offers ?? [], jobs ?? [], removedOffers ?? [], removedJobs ?? []);

    static LedgerBookings Loaded(IReadOnlyList<LedgerOfferRow>? offers = null, IReadOnlyList<LedgerJobRow>? jobs = null)
    {
        var bookings = new LedgerBookings();
        bookings.Apply(Whole(offers, jobs));
        return bookings;
    }

    [Test]
    public void An_open_offer_is_charged_for_its_slot_until_it_expires_and_then_forgotten()
    {
        var bookings = Loaded([Offer("o", startHours: 2, expiresHours: 1)]);
        Assert.That(bookings.Bookings(T0, Defaults), Is.EqualTo(new[] { new Booking(T0.AddHours(2), T0.AddHours(3), 2, 2L << 30) }));
        Assert.That(bookings.Bookings(T0.AddHours(1), Defaults), Is.Empty, "expired at its expiry, whether or not the sweeper marked it");
        Assert.That(bookings.OfferCount, Is.Zero);
    }

    [TestCase(OfferPhase.ACCEPTED)]
    [TestCase(OfferPhase.REJECTED)]
    [TestCase(OfferPhase.EXPIRED)]
    public void An_offer_read_again_in_another_phase_is_no_longer_charged(OfferPhase phase)
    {
        var bookings = Loaded([Offer("o", 0, 1), Offer("p", 0, 1)]);
        bookings.Apply(Since(offers: [Offer("o", 0, 1, phase)]));
        Assert.That(bookings.OfferCount, Is.EqualTo(1));
        Assert.That(bookings.Bookings(T0, Defaults), Has.Count.EqualTo(1));
    }

    [Test]
    public void A_new_offer_read_as_a_change_is_charged_and_one_read_twice_once()
    {
        var bookings = Loaded();
        bookings.Apply(Since(offers: [Offer("o", 0, 1)]));
        bookings.Apply(Since(offers: [Offer("o", 0, 1)]));
        Assert.That(bookings.Bookings(T0, Defaults), Has.Count.EqualTo(1));
        Assert.That(bookings.Watermark, Is.EqualTo(W2));
    }

    [Test]
    public void A_queued_job_is_charged_from_now_for_its_execution_duration()
    {
        var bookings = Loaded(jobs: [Job("j", ExecutionPhase.QUEUED)]);
        var now = T0.AddMinutes(7);
        Assert.That(bookings.Bookings(now, Defaults), Is.EqualTo(new[] { new Booking(now, now.AddHours(1), 4, 4L << 30) }));
    }

    [Test]
    public void An_executing_job_is_charged_from_its_start_and_a_second_more_once_over_its_time()
    {
        var bookings = Loaded(jobs: [Job("j", ExecutionPhase.EXECUTING, started: T0)]);
        Assert.That(bookings.Bookings(T0.AddMinutes(30), Defaults).Single(), Is.EqualTo(new Booking(T0, T0.AddHours(1), 4, 4L << 30)));
        var late = T0.AddHours(2);
        Assert.That(bookings.Bookings(late, Defaults).Single(), Is.EqualTo(new Booking(T0, late.AddSeconds(1), 4, 4L << 30)));
    }

    [Test]
    public void A_held_job_is_charged_from_its_offered_slot_and_from_now_once_the_slot_has_come()
    {
        var slot = T0.AddHours(3);
        var bookings = Loaded(jobs: [Job("j", ExecutionPhase.HELD, slot: slot)]);
        Assert.That(bookings.Bookings(T0, Defaults).Single().Start, Is.EqualTo(slot));
        var later = T0.AddHours(4);
        Assert.That(bookings.Bookings(later, Defaults).Single().Start, Is.EqualTo(later));
    }

    [Test]
    public void A_job_without_limits_or_duration_is_charged_with_the_defaults()
    {
        var bookings = Loaded(jobs: [Job("j", ExecutionPhase.QUEUED, seconds: 0, cores: null, memory: null)]);
        Assert.That(bookings.Bookings(T0, Defaults).Single(), Is.EqualTo(new Booking(T0, T0.AddDays(2), 1, 1L << 30)));
    }

    [TestCase(ExecutionPhase.COMPLETED)]
    [TestCase(ExecutionPhase.ERROR)]
    [TestCase(ExecutionPhase.ABORTED)]
    [TestCase(ExecutionPhase.PENDING)]
    public void A_job_read_again_in_a_phase_that_holds_nothing_is_no_longer_charged(ExecutionPhase phase)
    {
        var bookings = Loaded(jobs: [Job("j", ExecutionPhase.EXECUTING, started: T0)]);
        bookings.Apply(Since(jobs: [Job("j", phase, started: T0)]));
        Assert.That(bookings.Bookings(T0, Defaults), Is.Empty);
    }

    [Test]
    public void A_job_moving_between_charged_phases_is_charged_as_it_is_now()
    {
        var bookings = Loaded(jobs: [Job("j", ExecutionPhase.QUEUED)]);
        bookings.Apply(Since(jobs: [Job("j", ExecutionPhase.EXECUTING, started: T0.AddMinutes(-30))]));
        Assert.That(bookings.Bookings(T0, Defaults).Single(), Is.EqualTo(new Booking(T0.AddMinutes(-30), T0.AddMinutes(30), 4, 4L << 30)));
    }

    [Test]
    public void Removed_jobs_and_offers_are_no_longer_charged()
    {
        var bookings = Loaded([Offer("o", 0, 1)], [Job("j", ExecutionPhase.QUEUED)]);
        bookings.Apply(Since(removedOffers: ["o"], removedJobs: ["j"]));
        Assert.That(bookings.Bookings(T0, Defaults), Is.Empty);
    }

    [Test]
    public void A_removal_read_with_the_rows_change_wins_over_it()
    {
        // The job row was read as still running, its deletion (read later in the same batch) removes it.
        var bookings = Loaded();
        bookings.Apply(Since(jobs: [Job("j", ExecutionPhase.EXECUTING, started: T0)], removedJobs: ["j"]));
        Assert.That(bookings.JobCount, Is.Zero);
    }

    [Test]
    public void A_whole_read_replaces_everything_known()
    {
        var bookings = Loaded([Offer("o", 0, 1)], [Job("j", ExecutionPhase.QUEUED)]);
        bookings.Apply(Whole([Offer("p", 0, 1)]));
        Assert.That((bookings.OfferCount, bookings.JobCount), Is.EqualTo((1, 0)));
    }

    [Test]
    public void Changes_are_applied_only_on_top_of_a_whole_read_and_reset_asks_for_one_again()
    {
        Assert.That(() => new LedgerBookings().Apply(Since()), Throws.InvalidOperationException);
        var bookings = Loaded([Offer("o", 0, 1)]);
        bookings.Reset();
        Assert.That((bookings.Watermark, bookings.OfferCount), Is.EqualTo(((LedgerWatermark?)null, 0)));
        Assert.That(() => bookings.Apply(Since()), Throws.InvalidOperationException);
    }

    static List<Slot> Slots(CapacityLedger ledger, DateTimeOffset now) =>
        [.. ledger.Slots(now, now.AddDays(3), TimeSpan.FromHours(1)), .. ledger.Slots(now, now.AddDays(3), TimeSpan.FromMinutes(150))];

    [Test]
    public void Two_equal_offers_are_charged_twice_and_once_after_one_is_rejected()
    {
        var bookings = Loaded([Offer("o", 1, 5), Offer("p", 1, 5)]);
        Assert.That(Slots(bookings.Ledger(Platform, T0, Defaults), T0).First(s => s.Start == T0.AddHours(1)).FreeCores, Is.EqualTo(12m));
        bookings.Apply(Since(offers: [Offer("p", 1, 5, OfferPhase.REJECTED)]));
        Assert.That(Slots(bookings.Ledger(Platform, T0, Defaults), T0).First(s => s.Start == T0.AddHours(1)).FreeCores, Is.EqualTo(14m));
    }

    [Test]
    public void An_offer_added_and_dropped_between_two_builds_leaves_no_trace()
    {
        var bookings = Loaded([Offer("o", 1, 5)]);
        var before = Slots(bookings.Ledger(Platform, T0, Defaults), T0);
        bookings.Apply(Since(offers: [Offer("p", 2, 5)]));
        bookings.Apply(Since(offers: [Offer("p", 2, 5, OfferPhase.ACCEPTED)]));
        Assert.That(Slots(bookings.Ledger(Platform, T0, Defaults), T0), Is.EqualTo(before));
    }

    [Test]
    public void The_ledger_kept_between_builds_matches_one_built_from_scratch_after_any_changes()
    {
        var random = new Random(20261124);
        var bookings = Loaded();
        // The model: plain dictionaries, charged from scratch.
        var modelOffers = new Dictionary<string, LedgerOfferRow>();
        var modelJobs = new Dictionary<string, LedgerJobRow>();
        var now = T0;
        var phases = new[] { ExecutionPhase.QUEUED, ExecutionPhase.EXECUTING, ExecutionPhase.HELD, ExecutionPhase.COMPLETED };
        for (var round = 0; round < 200; round++)
        {
            var offers = new List<LedgerOfferRow>();
            var jobs = new List<LedgerJobRow>();
            var removed = new List<string>();
            for (var i = random.Next(8); i > 0; i--)
            {
                var id = $"o{random.Next(60)}";
                var phase = random.Next(4) == 0 ? OfferPhase.REJECTED : OfferPhase.OFFERED;
                // Few distinct shapes, so equal events are common.
                var start = now.AddMinutes(30 * random.Next(-2, 100));
                offers.Add(new LedgerOfferRow(id, phase, now.AddMinutes(random.Next(1, 30)), start, 3600 * random.Next(1, 3), random.Next(1, 4), (long)random.Next(1, 4) << 30));
            }
            for (var i = random.Next(3); i > 0; i--)
            {
                var phase = phases[random.Next(phases.Length)];
                jobs.Add(Job($"j{random.Next(20)}", phase, started: now.AddMinutes(-random.Next(120)), seconds: 3600 * random.Next(0, 3),
                    slot: random.Next(2) == 0 ? null : now.AddMinutes(random.Next(-60, 600)), cores: random.Next(3) == 0 ? null : 0.5m * random.Next(1, 5)));
            }
            if (random.Next(5) == 0)
            {
                removed.Add($"o{random.Next(60)}");
            }
            var removedJobs = random.Next(5) == 0 ? new List<string> { $"j{random.Next(20)}" } : [];
            bookings.Apply(Since(offers, jobs, removedOffers: removed, removedJobs: removedJobs));
            foreach (var o in offers)
            {
                if (o.Phase == OfferPhase.OFFERED)
                {
                    modelOffers[o.Id] = o;
                }
                else
                {
                    modelOffers.Remove(o.Id);
                }
            }
            foreach (var j in jobs)
            {
                if (j.IsCharged)
                {
                    modelJobs[j.Id] = j;
                }
                else
                {
                    modelJobs.Remove(j.Id);
                }
            }
            removed.ForEach(id => modelOffers.Remove(id));
            removedJobs.ForEach(id => modelJobs.Remove(id));
            now = now.AddMinutes(random.Next(0, 10));
            if (round % 3 != 0)
            {
                continue;
            }
            var kept = Slots(bookings.Ledger(Platform, now, Defaults), now);
            var model = modelOffers.Values.Where(o => o.Expires > now)
                .Select(o => new Booking(o.Start, o.Start.AddSeconds(o.DurationSeconds), o.Cores, o.MemoryBytes))
                .Concat(modelJobs.Values.Select(j => LedgerBookings.Charge(j, now, Defaults)))
                .ToList();
            var scratch = Slots(new CapacityLedger(Platform, model), now);
            Assert.That(kept, Is.EqualTo(scratch), $"round {round}");
        }
        Assert.That(bookings.OfferCount, Is.GreaterThan(0), "the test kept some offers open");
    }

    [Test]
    public void OwnerOffered_sums_one_owners_open_offers_as_they_come_go_and_expire()
    {
        var bookings = new LedgerBookings();
        bookings.Apply(Whole(offers:
        [
            Offer("a", 1, 0.5) with { OwnerId = "alice" },
            Offer("b", 2, 2) with { OwnerId = "alice" },
            Offer("c", 1, 3) with { OwnerId = "bob" },
            Offer("d", 1, 0.1) with { OwnerId = "alice" },
        ]));
        var held = bookings.OwnerOffered("alice", T0.AddHours(0.2));
        Assert.That(held, Is.EqualTo(new OwnerOffers(4, 4L << 30)), "d has expired; bob's offer is not alice's");
        Assert.That(bookings.OwnerSoonestExpiry("alice", T0.AddHours(0.2)), Is.EqualTo(T0.AddHours(0.5)));
        Assert.That(bookings.OwnerOffered("carol", T0), Is.EqualTo(new OwnerOffers(0, 0)));

        bookings.Apply(Since(offers: [Offer("b", 2, 2, OfferPhase.ACCEPTED) with { OwnerId = "alice" }], removedOffers: ["c"]));
        Assert.That(bookings.OwnerOffered("alice", T0.AddHours(0.2)), Is.EqualTo(new OwnerOffers(2, 2L << 30)), "an accepted offer no longer counts");
        Assert.That(bookings.OwnerOffered("bob", T0.AddHours(0.2)), Is.EqualTo(new OwnerOffers(0, 0)), "nor a removed one");
        Assert.That(bookings.OwnerOffered("alice", T0.AddHours(1)), Is.EqualTo(new OwnerOffers(0, 0)), "nor an expired one");
    }
}
