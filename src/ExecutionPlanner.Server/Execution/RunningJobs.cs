using System.Collections.Concurrent;
using ExecutionPlanner.Server.Jobs.Store;

namespace ExecutionPlanner.Server.Execution;

/// <summary>Why a running container must stop before it ends by itself.</summary>
public enum StopReason
{
    None,
    /// <summary>Its owner sent PHASE=ABORT.</summary>
    Aborted,
    /// <summary>The job was destroyed (DELETE, or its destruction time).</summary>
    Deleted,
    /// <summary>This node no longer holds the lease: another node owns the job now.</summary>
    LeaseLost,
    /// <summary>executionDuration ran out.</summary>
    Overran,
    /// <summary>This server process is shutting down.</summary>
    NodeStopping,
    /// <summary>The job wrote more into /uws than the service allows (<see cref="ResultsSizeGuard"/>).</summary>
    ResultsTooLarge,
}

/// <summary>A job whose container this node is running; <see cref="Stopping"/> fires when it must stop.</summary>
public sealed class RunningJob(ClaimedJob job, DateTimeOffset claimedAt, CancellationToken nodeStopping) : IDisposable
{
    readonly CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(nodeStopping);
    int reason;

    public ClaimedJob Job { get; } = job;

    /// <summary>Bytes of the job's uploads, which share its /uws volume with the results.</summary>
    public long InputBytes { get; set; }

    /// <summary>
    /// When what the job holds in /uws was last measured (<see cref="ResultsSizeGuard"/>); until the first
    /// measurement, its claim (before its container started, so the guard is never late for it).
    /// </summary>
    public DateTimeOffset SizeMeasuredAt { get; set; } = claimedAt;

    public CancellationToken Stopping => stop.Token;

    public StopReason Reason => stop.IsCancellationRequested && reason == 0 ? StopReason.NodeStopping : (StopReason)reason;

    /// <summary>Asks the run to stop; the first reason given wins.</summary>
    public void RequestStop(StopReason why)
    {
        if (Interlocked.CompareExchange(ref reason, (int)why, 0) == 0)
        {
            try
            {
                stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The run ended (and let go of its token) between the caller's look at the running jobs and now.
            }
        }
    }

    public void Dispose() => stop.Dispose();
}

/// <summary>This node's running jobs, for the heartbeat (one loop for all) and for stop requests.</summary>
public sealed class RunningJobs
{
    readonly ConcurrentDictionary<string, RunningJob> jobs = new(StringComparer.Ordinal);

    public RunningJob Add(ClaimedJob job, DateTimeOffset claimedAt, CancellationToken nodeStopping)
    {
        var running = new RunningJob(job, claimedAt, nodeStopping);
        jobs[job.Id] = running;
        return running;
    }

    public void Remove(RunningJob running) => jobs.TryRemove(KeyValuePair.Create(running.Job.Id, running));

    public IReadOnlyCollection<RunningJob> All => [.. jobs.Values];

    public int Count => jobs.Count;
}
