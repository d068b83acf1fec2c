using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Waiting;

namespace ExecutionPlanner.Tests.Unit;

[Parallelizable(ParallelScope.Children)]
public sealed class JobChangeHubTests
{
    static readonly TimeSpan Short = TimeSpan.FromMilliseconds(50);
    static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Test]
    public async Task A_subscriber_is_woken_by_a_publish_of_its_job()
    {
        using var hub = new JobChangeHub();
        using var subscription = hub.Subscribe("a");
        var waiting = subscription.WaitAsync(Long, TimeProvider.System, CancellationToken.None);
        Assert.That(waiting.IsCompleted, Is.False);
        hub.Publish("a", ExecutionPhase.QUEUED);
        Assert.That(await waiting.WaitAsync(Long), Is.True);
    }

    [Test]
    public async Task A_publish_between_subscribe_and_wait_is_not_lost()
    {
        using var hub = new JobChangeHub();
        using var subscription = hub.Subscribe("a");
        hub.Publish("a", null);
        Assert.That(await subscription.WaitAsync(Long, TimeProvider.System, CancellationToken.None), Is.True);
    }

    [Test]
    public async Task A_publish_of_another_job_does_not_wake_the_subscriber()
    {
        using var hub = new JobChangeHub();
        using var subscription = hub.Subscribe("a");
        hub.Publish("b", ExecutionPhase.COMPLETED);
        Assert.That(await subscription.WaitAsync(Short, TimeProvider.System, CancellationToken.None), Is.False);
    }

    [Test]
    public async Task Every_subscriber_of_the_job_is_woken()
    {
        using var hub = new JobChangeHub();
        using var first = hub.Subscribe("a");
        using var second = hub.Subscribe("a");
        hub.Publish("a", ExecutionPhase.ABORTED);
        Assert.That(await first.WaitAsync(Long, TimeProvider.System, CancellationToken.None), Is.True);
        Assert.That(await second.WaitAsync(Long, TimeProvider.System, CancellationToken.None), Is.True);
    }

    [Test]
    public async Task WakeAll_wakes_every_subscriber_of_every_job()
    {
        using var hub = new JobChangeHub();
        using var a = hub.Subscribe("a");
        using var b = hub.Subscribe("b");
        var waits = new[] { a, b }.Select(s => s.WaitAsync(Long, TimeProvider.System, CancellationToken.None)).ToList();
        hub.WakeAll();
        Assert.That(await Task.WhenAll(waits).WaitAsync(Long), Is.EqualTo(new[] { true, true }));
    }

    [Test]
    public async Task A_wait_that_times_out_returns_false()
    {
        using var hub = new JobChangeHub();
        using var subscription = hub.Subscribe("a");
        Assert.That(await subscription.WaitAsync(Short, TimeProvider.System, CancellationToken.None), Is.False);
    }

    [Test]
    public async Task A_disposed_subscription_is_no_longer_woken_and_a_new_one_is()
    {
        using var hub = new JobChangeHub();
        var old = hub.Subscribe("a");
        old.Dispose();
        using var fresh = hub.Subscribe("a");
        hub.Publish("a", ExecutionPhase.QUEUED);
        Assert.That(await old.WaitAsync(Short, TimeProvider.System, CancellationToken.None), Is.False);
        Assert.That(await fresh.WaitAsync(Long, TimeProvider.System, CancellationToken.None), Is.True);
    }

    [Test]
    public void A_cancelled_wait_throws_OperationCanceledException()
    {
        using var hub = new JobChangeHub();
        using var subscription = hub.Subscribe("a");
        using var cts = new CancellationTokenSource();
        var waiting = subscription.WaitAsync(Long, TimeProvider.System, cts.Token);
        cts.Cancel();
        Assert.That(async () => await waiting, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Publishing_QUEUED_wakes_a_waiting_dispatcher_and_other_phases_do_not()
    {
        using var hub = new JobChangeHub();
        hub.Publish("a", ExecutionPhase.COMPLETED);
        Assert.That(await hub.WaitForQueuedAsync(Short, CancellationToken.None), Is.False);
        hub.Publish("a", ExecutionPhase.QUEUED);
        Assert.That(await hub.WaitForQueuedAsync(Long, CancellationToken.None), Is.True);
        hub.WakeAll();
        Assert.That(await hub.WaitForQueuedAsync(Long, CancellationToken.None), Is.True);
    }

    [Test]
    public async Task A_burst_of_QUEUED_signals_wakes_the_dispatcher_once_and_a_later_one_wakes_it_again()
    {
        using var hub = new JobChangeHub();
        for (var i = 0; i < 40; i++)
        {
            hub.Publish($"job{i}", ExecutionPhase.QUEUED);
        }
        Assert.That(await hub.WaitForQueuedAsync(Long, CancellationToken.None), Is.True);
        Assert.That(await hub.WaitForQueuedAsync(Short, CancellationToken.None), Is.False, "the burst counts as one wake-up");
        hub.Publish("late", ExecutionPhase.QUEUED);
        Assert.That(await hub.WaitForQueuedAsync(Long, CancellationToken.None), Is.True, "a signal after the wake-up is not lost");
    }

    [Test]
    public void The_held_signal_is_set_by_HELD_and_by_WakeAll_and_cleared_when_taken()
    {
        using var hub = new JobChangeHub();
        Assert.That(hub.TakeHeldSignal(), Is.True, "the first round looks at HELD jobs");
        Assert.That(hub.TakeHeldSignal(), Is.False);
        hub.Publish("a", ExecutionPhase.QUEUED);
        Assert.That(hub.TakeHeldSignal(), Is.False, "QUEUED is not HELD");
        hub.Publish("b", ExecutionPhase.HELD);
        Assert.That(hub.TakeHeldSignal(), Is.True);
        Assert.That(hub.TakeHeldSignal(), Is.False);
        hub.WakeAll();
        Assert.That(hub.TakeHeldSignal(), Is.True, "after a possible miss, HELD jobs are looked at again");
    }

    [Test]
    public async Task A_subscription_except_a_phase_sleeps_through_it_and_wakes_for_any_other_or_a_deletion()
    {
        using var hub = new JobChangeHub();
        using (var running = hub.Subscribe("a", except: ExecutionPhase.EXECUTING))
        {
            hub.Publish("a", ExecutionPhase.EXECUTING);
            Assert.That(await running.WaitAsync(Short, TimeProvider.System, CancellationToken.None), Is.False);
            hub.Publish("a", ExecutionPhase.ABORTED);
            Assert.That(await running.WaitAsync(Long, TimeProvider.System, CancellationToken.None), Is.True);
        }
        using var deleted = hub.Subscribe("a", except: ExecutionPhase.EXECUTING);
        hub.Publish("a", null);
        Assert.That(await deleted.WaitAsync(Long, TimeProvider.System, CancellationToken.None), Is.True);
    }
}
