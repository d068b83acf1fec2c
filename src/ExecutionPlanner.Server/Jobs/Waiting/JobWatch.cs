using ExecutionPlanner.Server.Persistence;

namespace ExecutionPlanner.Server.Jobs.Waiting;

/// <summary>What a blocked GET learns when its job may have changed: the job as read after the change.</summary>
/// <param name="Job">The job, or null when it no longer exists.</param>
/// <param name="Stale">The batched read failed: the waiter reads the job itself.</param>
public sealed record JobSnapshot(JobEntity? Job, List<JobFileInfo> Files, bool Stale = false);

/// <summary>
/// One blocked GET's interest in one job, held for the whole wait (see <see cref="WokenJobReader"/>). A mailbox of
/// one: a snapshot delivered while nobody waits is kept (a newer one replaces it), so nothing delivered between two
/// waits is lost. The guarantee: every change committed after <see cref="WokenJobReader.Watch"/> returned is followed
/// by a snapshot read after that change.
/// </summary>
public sealed class JobWatch(WokenJobReader reader, string jobId) : IDisposable
{
    readonly Lock gate = new();
    JobSnapshot? pending;
    TaskCompletionSource<JobSnapshot>? waiting;

    public string JobId { get; } = jobId;

    /// <summary>The next snapshot, or null when <paramref name="timeout"/> passes first.</summary>
    public async Task<JobSnapshot?> NextAsync(TimeSpan timeout, TimeProvider clock, CancellationToken ct)
    {
        Task<JobSnapshot> next;
        lock (gate)
        {
            if (pending is { } ready)
            {
                pending = null;
                return ready;
            }
            waiting ??= new TaskCompletionSource<JobSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
            next = waiting.Task;
        }
        try
        {
            return await next.WaitAsync(timeout, clock, ct);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    internal void Deliver(JobSnapshot snapshot)
    {
        TaskCompletionSource<JobSnapshot>? wake;
        lock (gate)
        {
            wake = waiting;
            waiting = null;
            if (wake is null)
            {
                pending = snapshot;
                return;
            }
        }
        wake.TrySetResult(snapshot);
    }

    public void Dispose() => reader.Unwatch(this);
}
