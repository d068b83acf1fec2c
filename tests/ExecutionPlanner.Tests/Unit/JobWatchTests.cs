using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Waiting;
using ExecutionPlanner.Server.Persistence;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExecutionPlanner.Tests.Unit;

/// <summary>A blocked GET's watch of its job: a mailbox of one, so nothing delivered between two waits is lost.</summary>
[Parallelizable(ParallelScope.Children)]
public sealed class JobWatchTests
{
    static readonly TimeSpan Short = TimeSpan.FromMilliseconds(50);
    static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Test]
    public async Task A_snapshot_delivered_before_the_wait_is_returned_at_once()
    {
        using var reader = NewReader(out var hub);
        using var watch = reader.Watch("a");
        var snapshot = Snapshot(ExecutionPhase.QUEUED);
        Deliver(watch, snapshot);

        Assert.That(await watch.NextAsync(Long, TimeProvider.System, CancellationToken.None), Is.SameAs(snapshot));
        hub.Dispose();
    }

    [Test]
    public async Task Of_two_snapshots_delivered_while_nobody_waits_the_newer_is_kept()
    {
        using var reader = NewReader(out var hub);
        using var watch = reader.Watch("a");
        Deliver(watch, Snapshot(ExecutionPhase.QUEUED));
        var newer = Snapshot(ExecutionPhase.EXECUTING);
        Deliver(watch, newer);

        Assert.That(await watch.NextAsync(Long, TimeProvider.System, CancellationToken.None), Is.SameAs(newer));
        Assert.That(await watch.NextAsync(Short, TimeProvider.System, CancellationToken.None), Is.Null, "the older one is gone");
        hub.Dispose();
    }

    [Test]
    public async Task A_waiter_is_woken_by_a_delivery_and_times_out_without_one()
    {
        using var reader = NewReader(out var hub);
        using var watch = reader.Watch("a");
        Assert.That(await watch.NextAsync(Short, TimeProvider.System, CancellationToken.None), Is.Null);

        var waiting = watch.NextAsync(Long, TimeProvider.System, CancellationToken.None);
        Assert.That(waiting.IsCompleted, Is.False);
        var snapshot = Snapshot(ExecutionPhase.COMPLETED);
        Deliver(watch, snapshot);

        Assert.That(await waiting.WaitAsync(Long), Is.SameAs(snapshot));
        hub.Dispose();
    }

    [Test]
    public void Watched_jobs_are_counted_once_each_until_their_last_watch_ends()
    {
        using var reader = NewReader(out var hub);
        var first = reader.Watch("a");
        var second = reader.Watch("a");
        var other = reader.Watch("b");
        Assert.That(reader.WatchedJobs, Is.EqualTo(2));

        first.Dispose();
        other.Dispose();
        Assert.That(reader.WatchedJobs, Is.EqualTo(1));
        second.Dispose();
        Assert.That(reader.WatchedJobs, Is.Zero);
        hub.Dispose();
    }

    [Test]
    public void The_hub_tells_its_observers_of_every_change_and_of_a_possible_miss()
    {
        using var hub = new JobChangeHub();
        var observer = new RecordingObserver();
        hub.Observe(observer);

        hub.Publish("a", ExecutionPhase.QUEUED);
        hub.Publish("b", null);
        hub.WakeAll();

        Assert.That(observer.Changed, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(observer.Misses, Is.EqualTo(1));
    }

    static WokenJobReader NewReader(out JobChangeHub hub)
    {
        hub = new JobChangeHub();
        // No connection is opened: these tests never start the reader's loop.
        return new WokenJobReader(new WokenJobReader.ReaderDataSource("Host=127.0.0.1;Database=unused"), hub, NullLogger<WokenJobReader>.Instance);
    }

    // Delivery is the reader's job; the tests stand in for one of its batches.
    static void Deliver(JobWatch watch, JobSnapshot snapshot) => watch.Deliver(snapshot);

    static JobSnapshot Snapshot(ExecutionPhase phase) => new(new JobEntity { Id = "a", OwnerId = "", Phase = phase }, []);

    sealed class RecordingObserver : IJobChangeObserver
    {
        public List<string> Changed { get; } = [];

        public int Misses { get; private set; }

        void IJobChangeObserver.Changed(string jobId) => Changed.Add(jobId);

        void IJobChangeObserver.MayHaveMissed() => Misses++;
    }
}
