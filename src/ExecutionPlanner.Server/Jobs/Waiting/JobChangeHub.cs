using System.Collections.Concurrent;
using ExecutionPlanner.Server.Jobs.Events;

namespace ExecutionPlanner.Server.Jobs.Waiting;

/// <summary>
/// In-process fan-out of job changes announced by PostgreSQL (NOTIFY, see <see cref="JobChangeListener"/>):
/// blocking GETs wait here for their job, and the dispatcher waits for newly QUEUED (or HELD) work. A wait
/// costs a TaskCompletionSource, never a thread. Notifications are only a hint: whoever wakes re-reads
/// the database, and every wait has a deadline.
/// </summary>
public sealed class JobChangeHub : IDisposable
{
    readonly ConcurrentDictionary<string, List<TaskCompletionSource>> waiters = new(StringComparer.Ordinal);
    readonly SemaphoreSlim queued = new(0, int.MaxValue);
    IJobChangeObserver[] observers = [];
    Action<JobEvent>[] eventObservers = [];

    /// <summary>Adds an observer told of every change (at start-up; observers are never removed).</summary>
    public void Observe(IJobChangeObserver observer) => observers = [.. observers, observer];

    /// <summary>Adds an observer of the live events (channel uws_job_event, see <see cref="JobEventPayload"/>); at start-up.</summary>
    public void ObserveEvents(Action<JobEvent> observer) => eventObservers = [.. eventObservers, observer];

    /// <summary>A live event arrived (called on the listener's thread: observers return at once).</summary>
    public void PublishEvent(JobEvent jobEvent)
    {
        foreach (var observer in eventObservers)
        {
            observer(jobEvent);
        }
    }

    /// <summary>Registers interest in one job. Subscribe before reading the job, so no change is missed.</summary>
    public Subscription Subscribe(string jobId)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var list = waiters.GetOrAdd(jobId, _ => []);
        lock (list)
        {
            list.Add(tcs);
        }
        return new Subscription(this, jobId, tcs);
    }

    /// <summary>A job changed phase (or was deleted when <paramref name="phase"/> is null).</summary>
    public void Publish(string jobId, ExecutionPhase? phase)
    {
        if (phase is ExecutionPhase.QUEUED or ExecutionPhase.HELD)
        {
            queued.Release();
        }
        foreach (var observer in observers)
        {
            observer.Changed(jobId);
        }
        if (waiters.TryGetValue(jobId, out var list))
        {
            TaskCompletionSource[] woken;
            lock (list)
            {
                woken = [.. list];
            }
            foreach (var tcs in woken)
            {
                tcs.TrySetResult();
            }
        }
    }

    /// <summary>Changes may have been missed (the listener reconnected): everyone re-reads.</summary>
    public void WakeAll()
    {
        foreach (var jobId in waiters.Keys)
        {
            Publish(jobId, null);
        }
        foreach (var observer in observers)
        {
            observer.MayHaveMissed();
        }
        queued.Release();
    }

    /// <summary>Waits until some job may have become QUEUED or HELD, or the timeout passes.</summary>
    public Task<bool> WaitForQueuedAsync(TimeSpan timeout, CancellationToken ct) => queued.WaitAsync(timeout, ct);

    public void Dispose() => queued.Dispose();

    void Remove(string jobId, TaskCompletionSource tcs)
    {
        if (!waiters.TryGetValue(jobId, out var list))
        {
            return;
        }
        lock (list)
        {
            list.Remove(tcs);
            if (list.Count == 0)
            {
                // Removing the exact (key, list) pair: a concurrent Subscribe that already holds this
                // list is impossible because it adds under the same lock before we get here.
                waiters.TryRemove(KeyValuePair.Create(jobId, list));
            }
        }
    }

    public sealed class Subscription(JobChangeHub hub, string jobId, TaskCompletionSource tcs) : IDisposable
    {
        /// <summary>Completes when the job may have changed; false on timeout.</summary>
        public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken ct)
        {
            try
            {
                await tcs.Task.WaitAsync(timeout, clock, ct);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        public void Dispose() => hub.Remove(jobId, tcs);
    }
}
