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
    readonly ConcurrentDictionary<string, List<(TaskCompletionSource Tcs, ExecutionPhase? Except)>> waiters = new(StringComparer.Ordinal);
    readonly SemaphoreSlim queued = new(0, int.MaxValue);
    /// <summary>1 when a job became HELD (or changes may have been missed) since the dispatcher last looked.</summary>
    int heldSignalled = 1;
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

    /// <summary>
    /// Registers interest in one job. Subscribe before reading the job, so no change is missed. A change to
    /// <paramref name="except"/> does not wake it (a running job's watch is not woken by its own claim); a possible
    /// miss (<see cref="WakeAll"/>) always does.
    /// </summary>
    public Subscription Subscribe(string jobId, ExecutionPhase? except = null)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var list = waiters.GetOrAdd(jobId, _ => []);
        lock (list)
        {
            list.Add((tcs, except));
        }
        return new Subscription(this, jobId, tcs);
    }

    /// <summary>A job changed phase (or was deleted when <paramref name="phase"/> is null).</summary>
    public void Publish(string jobId, ExecutionPhase? phase)
    {
        if (phase is ExecutionPhase.QUEUED or ExecutionPhase.HELD)
        {
            if (phase == ExecutionPhase.HELD)
            {
                Volatile.Write(ref heldSignalled, 1);
            }
            queued.Release();
        }
        foreach (var observer in observers)
        {
            observer.Changed(jobId);
        }
        if (waiters.TryGetValue(jobId, out var list))
        {
            (TaskCompletionSource Tcs, ExecutionPhase? Except)[] woken;
            lock (list)
            {
                woken = [.. list];
            }
            foreach (var (tcs, except) in woken)
            {
                if (phase is null || phase != except)
                {
                    tcs.TrySetResult();
                }
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
        Volatile.Write(ref heldSignalled, 1);
        queued.Release();
    }

    /// <summary>
    /// Waits until some job may have become QUEUED or HELD, or the timeout passes. The signals that arrived meanwhile
    /// count as one: the caller reads all the work there is after this returns, so a burst of forty new jobs costs one
    /// round of reads, not forty. A signal that comes after this returns wakes the next wait, so none is lost.
    /// </summary>
    public async Task<bool> WaitForQueuedAsync(TimeSpan timeout, CancellationToken ct)
    {
        var signalled = await queued.WaitAsync(timeout, ct);
        while (queued.Wait(0, CancellationToken.None))
        {
        }
        return signalled;
    }

    /// <summary>
    /// Whether a job became HELD (or changes may have been missed) since the last call; clears the flag. Read after
    /// <see cref="WaitForQueuedAsync"/>: a HELD signal set after this call also wakes the next wait, so none is lost.
    /// </summary>
    public bool TakeHeldSignal() => Interlocked.Exchange(ref heldSignalled, 0) == 1;

    public void Dispose() => queued.Dispose();

    void Remove(string jobId, TaskCompletionSource tcs)
    {
        if (!waiters.TryGetValue(jobId, out var list))
        {
            return;
        }
        lock (list)
        {
            list.RemoveAll(w => w.Tcs == tcs);
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
