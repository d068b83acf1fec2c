using System.Collections.Concurrent;
using System.Threading.Channels;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace ExecutionPlanner.Server.Jobs.Waiting;

/// <summary>
/// Reads changed jobs for blocked GETs, once per NOTIFY burst, and hands each waiter its job. One UPDATE moving
/// a thousand jobs wakes a thousand waiters at once; here the jobs that anybody watches are read, with their files,
/// in one query and every watch of each job gets the result, with no per-waiter query and no
/// per-waiter queueing. Reads only, so nothing about durability changes. Batches run one after another, so a
/// watch never gets an older snapshot after a newer one; each read starts after the notification that caused it.
/// </summary>
public sealed partial class WokenJobReader : BackgroundService, IJobChangeObserver
{
    const int MaxBatch = 2000;

    /// <summary>Reads before a delivery at most, so a long burst still delivers.</summary>
    const int MaxReadsPerDelivery = 4;

    /// <summary>
    /// A read of at least this many jobs means a burst is arriving: read what followed it before delivering. A smaller
    /// one (a steady stream of single changes) is delivered at once.
    /// </summary>
    const int BurstSize = 64;

    /// <summary>
    /// The batches' own connections, so that a wake-up never queues for a pooled connection behind
    /// the requests of a busy server (one batch runs at a time).
    /// </summary>
    public sealed class ReaderDataSource(string connectionString) : IDisposable
    {
        public Npgsql.NpgsqlDataSource DataSource { get; } = new Npgsql.NpgsqlDataSourceBuilder(
            new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 2 }.ConnectionString).Build();

        public void Dispose() => DataSource.Dispose();
    }

    /// <summary>
    /// Pooled: a new DbContext sets up its EF services (the model's lookup, the query translators) on first use, which
    /// cost more CPU than the read itself; every job's wake-up reads through here, so that set-up is done once.
    /// </summary>
    readonly PooledDbContextFactory<UwsDbContext> contexts;
    readonly ILogger<WokenJobReader> logger;
    readonly ConcurrentDictionary<string, List<JobWatch>> watches = new(StringComparer.Ordinal);
    readonly Channel<string> changed = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public WokenJobReader(ReaderDataSource dataSource, JobChangeHub hub, ILogger<WokenJobReader> logger)
    {
        var builder = new DbContextOptionsBuilder<UwsDbContext>();
        UwsDbContext.Configure(builder, dataSource.DataSource);
        contexts = new PooledDbContextFactory<UwsDbContext>(builder.Options);
        this.logger = logger;
        hub.Observe(this);
    }

    /// <summary>How many jobs blocked GETs are watching now.</summary>
    public int WatchedJobs => watches.Count;

    /// <summary>Starts watching a job. Watch before reading the job yourself, so that no change is missed.</summary>
    public JobWatch Watch(string jobId)
    {
        var watch = new JobWatch(this, jobId);
        while (true)
        {
            var list = watches.GetOrAdd(jobId, _ => []);
            lock (list)
            {
                // An emptied list may just have been removed from the map by Unwatch: add only to the live one.
                if (watches.TryGetValue(jobId, out var live) && ReferenceEquals(live, list))
                {
                    list.Add(watch);
                    return watch;
                }
            }
        }
    }

    internal void Unwatch(JobWatch watch)
    {
        if (!watches.TryGetValue(watch.JobId, out var list))
        {
            return;
        }
        lock (list)
        {
            list.Remove(watch);
            if (list.Count == 0)
            {
                watches.TryRemove(KeyValuePair.Create(watch.JobId, list));
            }
        }
    }

    void IJobChangeObserver.Changed(string jobId)
    {
        if (watches.ContainsKey(jobId))
        {
            changed.Writer.TryWrite(jobId);
        }
    }

    void IJobChangeObserver.MayHaveMissed()
    {
        foreach (var jobId in watches.Keys)
        {
            changed.Writer.TryWrite(jobId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new HashSet<string>(StringComparer.Ordinal);
        var snapshots = new Dictionary<string, JobSnapshot>(StringComparer.Ordinal);
        while (await changed.Reader.WaitToReadAsync(stoppingToken))
        {
            // In a burst (one UPDATE of many jobs: its notifications arrive over a few ms), read until nothing new
            // waits, then deliver: delivering starts every woken response at once, and a read made while they run
            // takes several times as long. A small read is delivered at once, so single changes are not held back.
            // A later read of the same job replaces the earlier one, so each watch still gets the newest.
            snapshots.Clear();
            var burst = true;
            for (var read = 0; burst && read < MaxReadsPerDelivery && Drain(batch) > 0; read++)
            {
                burst = batch.Count >= BurstSize;
                try
                {
                    foreach (var (jobId, snapshot) in await ReadBatchAsync([.. batch], stoppingToken))
                    {
                        snapshots[jobId] = snapshot;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The waiters are not failed for it: each reads its job itself.
                    LogBatchFailed(logger, batch.Count, ex);
                    foreach (var jobId in batch)
                    {
                        snapshots[jobId] = new JobSnapshot(null, [], Stale: true);
                    }
                }
            }
            foreach (var (jobId, snapshot) in snapshots)
            {
                Deliver(jobId, snapshot);
            }
        }
    }

    /// <summary>Takes the waiting changes of watched jobs into <paramref name="batch"/> (at most <see cref="MaxBatch"/>).</summary>
    int Drain(HashSet<string> batch)
    {
        batch.Clear();
        while (batch.Count < MaxBatch && changed.Reader.TryRead(out var jobId))
        {
            if (watches.ContainsKey(jobId))
            {
                batch.Add(jobId);
            }
        }
        return batch.Count;
    }

    void Deliver(string jobId, JobSnapshot snapshot)
    {
        if (!watches.TryGetValue(jobId, out var list))
        {
            return;
        }
        JobWatch[] receivers;
        lock (list)
        {
            receivers = [.. list];
        }
        foreach (var watch in receivers)
        {
            // Shared between the job's waiters: a snapshot is only ever read.
            watch.Deliver(snapshot);
        }
    }

    async Task<Dictionary<string, JobSnapshot>> ReadBatchAsync(string[] ids, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var jobs = await db.ReadManyAsync(ids, ct);
        return ids.ToDictionary(
            id => id,
            id => jobs.TryGetValue(id, out var read) ? new JobSnapshot(read.Job, read.Files) : new JobSnapshot(null, []),
            StringComparer.Ordinal);
    }

    [LoggerMessage(EventId = 1111, Level = LogLevel.Warning, Message = "Reading {Count} woken jobs failed; their waiters read them one by one")]
    static partial void LogBatchFailed(ILogger logger, int count, Exception ex);
}
