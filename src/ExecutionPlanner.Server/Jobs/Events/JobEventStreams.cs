using System.Threading.Channels;
using ExecutionPlanner.Server.Jobs.Waiting;

namespace ExecutionPlanner.Server.Jobs.Events;

/// <summary>
/// The open event streams of this node, by job and by owner, fed by the one LISTEN connection through
/// <see cref="JobChangeHub"/> (no listener of its own). Delivery costs a lookup and a channel write on the
/// listener's thread; each stream drains its own bounded queue. A stream that falls <see cref="Capacity"/>
/// events behind (a client that stopped reading) is ended rather than allowed to grow: its client reconnects
/// and, with Last-Event-ID, is told the phases it missed.
/// </summary>
public sealed class JobEventStreams : IJobChangeObserver
{
    public const int Capacity = 10_000;

    readonly Lock gate = new();
    readonly Dictionary<string, List<JobEventSubscription>> byJob = new(StringComparer.Ordinal);
    readonly Dictionary<string, List<JobEventSubscription>> byOwner = new(StringComparer.Ordinal);

    public JobEventStreams(JobChangeHub hub)
    {
        hub.ObserveEvents(Publish);
        hub.Observe(this);
    }

    /// <summary>How many streams are open on this node.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return byJob.Values.Sum(l => l.Count) + byOwner.Values.Sum(l => l.Count);
            }
        }
    }

    /// <summary>Events of one job of <paramref name="ownerId"/>. Subscribe before reading the job, so that nothing is missed.</summary>
    public JobEventSubscription SubscribeJob(string jobId, string ownerId) => Add(byJob, jobId, ownerId, jobId);

    /// <summary>Events of every job of <paramref name="ownerId"/>.</summary>
    public JobEventSubscription SubscribeOwner(string ownerId) => Add(byOwner, ownerId, ownerId, null);

    JobEventSubscription Add(Dictionary<string, List<JobEventSubscription>> index, string key, string ownerId, string? jobId)
    {
        var subscription = new JobEventSubscription(this, ownerId, jobId);
        lock (gate)
        {
            if (!index.TryGetValue(key, out var list))
            {
                index[key] = list = [];
            }
            list.Add(subscription);
        }
        return subscription;
    }

    internal void Remove(JobEventSubscription subscription)
    {
        var (index, key) = subscription.JobId is { } jobId ? (byJob, jobId) : (byOwner, subscription.OwnerId);
        lock (gate)
        {
            if (index.TryGetValue(key, out var list) && list.Remove(subscription) && list.Count == 0)
            {
                index.Remove(key);
            }
        }
    }

    /// <summary>Routes one event to the streams of its job and of its owner (a job's stream only if the owner matches).</summary>
    public void Publish(JobEvent jobEvent)
    {
        if (jobEvent.Kind == JobEventKind.CallbackQueued)
        {
            return;
        }
        JobEventSubscription[] receivers;
        lock (gate)
        {
            var ofJob = byJob.GetValueOrDefault(jobEvent.JobId);
            var ofOwner = byOwner.GetValueOrDefault(jobEvent.OwnerId);
            if (ofJob is null && ofOwner is null)
            {
                return;
            }
            receivers = [.. ofJob?.Where(s => s.OwnerId == jobEvent.OwnerId) ?? [], .. ofOwner ?? []];
        }
        foreach (var subscription in receivers)
        {
            subscription.Offer(jobEvent);
        }
    }

    void IJobChangeObserver.Changed(string jobId)
    {
    }

    /// <summary>The listener reconnected: events may have been lost, so every stream reads its jobs again.</summary>
    void IJobChangeObserver.MayHaveMissed()
    {
        JobEventSubscription[] all;
        lock (gate)
        {
            all = [.. byJob.Values.SelectMany(l => l), .. byOwner.Values.SelectMany(l => l)];
        }
        foreach (var subscription in all)
        {
            subscription.Offer(null);
        }
    }
}

/// <summary>
/// One open stream's queue. A null item means "events may have been missed: read the job(s) again".
/// Completed (and <see cref="Overflowed"/>) when the reader fell <see cref="JobEventStreams.Capacity"/> behind.
/// </summary>
public sealed class JobEventSubscription(JobEventStreams streams, string ownerId, string? jobId) : IDisposable
{
    readonly Channel<JobEvent?> queue = Channel.CreateBounded<JobEvent?>(
        new BoundedChannelOptions(JobEventStreams.Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public string OwnerId { get; } = ownerId;

    /// <summary>The job of a job's stream; null for an owner's stream.</summary>
    public string? JobId { get; } = jobId;

    public bool Overflowed { get; private set; }

    public ChannelReader<JobEvent?> Reader => queue.Reader;

    internal void Offer(JobEvent? jobEvent)
    {
        if (!queue.Writer.TryWrite(jobEvent) && !Overflowed)
        {
            Overflowed = true;
            queue.Writer.TryComplete();
        }
    }

    public void Dispose()
    {
        streams.Remove(this);
        queue.Writer.TryComplete();
    }
}
