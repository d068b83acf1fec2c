using System.Globalization;
using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Store;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Runs on every node. Takes over EXECUTING jobs whose lease ran out (their node died) and settles
/// each by its container, found by label: never started -> queued again; exited -> its outcome is
/// collected as usual; still running -> killed, ERROR "lost with its node"; started but not on this
/// node's engine (it ran on another node's engine, or is gone) -> ERROR "lost with its node". So no job
/// stays EXECUTING forever and none runs twice. Also removes orphan containers on this node's engine whose
/// job is no longer EXECUTING. This stays a loop on every node rather than a Hangfire recurring job: each
/// node sweeps its own engine (a recurring job runs on one node only), and takeover must come within a
/// lease, not at cron granularity.
/// </summary>
public sealed partial class LeaseReaper(
    RunQueue queue,
    DockerEngineClient docker,
    OutcomeCollector collector,
    OutcomeWriter writer,
    EngineGate engine,
    ExecutionNode node,
    IOptions<ExecutionOptions> options,
    TimeProvider clock,
    ILogger<LeaseReaper> logger) : BackgroundService
{
    const int Batch = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            return;
        }
        if (node.IsStable)
        {
            // A restarted node with a stable name settles its own leftovers now, not after their leases run out
            // (once its engine answers: their containers are there).
            await engine.WaitUntilAnsweringAsync(stoppingToken);
            await ReconcileOwnLeftoversAsync(stoppingToken);
        }
        var period = TimeSpan.FromTicks(Math.Max(o.LeaseDuration.Ticks / 2, TimeSpan.FromSeconds(1).Ticks));
        using var timer = new PeriodicTimer(period, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                while (await ReapOnceAsync(stoppingToken) == Batch)
                {
                }
                await SweepOrphansAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogReapFailed(logger, ex);
            }
        }
    }

    /// <summary>Takes over and settles up to one batch of jobs whose lease expired; returns how many.</summary>
    public async Task<int> ReapOnceAsync(CancellationToken ct)
    {
        var taken = await queue.TakeOverAsync(node.Id, options.Value.LeaseDuration, null, Batch, ct);
        foreach (var (job, formerNode) in taken)
        {
            await ReconcileAsync(job, formerNode, ct);
        }
        return taken.Count;
    }

    /// <summary>
    /// Settles <paramref name="jobId"/> when it is EXECUTING under a lease that ran out: what a Hangfire redelivery does
    /// after the node that ran it died. False when there is nothing to settle (the job runs under a live lease, or
    /// is not EXECUTING).
    /// </summary>
    public async Task<bool> ReapJobAsync(string jobId, CancellationToken ct)
    {
        var taken = await queue.TakeOverAsync(node.Id, options.Value.LeaseDuration, null, 1, ct, jobId);
        foreach (var (job, formerNode) in taken)
        {
            await ReconcileAsync(job, formerNode, ct);
        }
        return taken.Count > 0;
    }

    /// <summary>Settles the jobs this node (by its stable name) left EXECUTING when it last stopped.</summary>
    public async Task ReconcileOwnLeftoversAsync(CancellationToken ct)
    {
        foreach (var (job, formerNode) in await queue.TakeOverAsync(node.Id, options.Value.LeaseDuration, node.Id, 1000, ct))
        {
            await ReconcileAsync(job, formerNode, ct);
        }
    }

    async Task ReconcileAsync(ClaimedJob job, string? formerNode, CancellationToken ct)
    {
        var containers = await docker.ListContainersAsync([$"{ContainerLabels.Job}={job.Id}", $"{ContainerLabels.Instance}={node.Instance}"], ct);
        var attempt = job.Attempt.ToString(CultureInfo.InvariantCulture);
        var current = containers.FirstOrDefault(c => c.Id == job.ContainerId
            || (c.Labels.TryGetValue(ContainerLabels.Attempt, out var a) && a == attempt));
        var state = current is null ? null : (await docker.InspectContainerAsync(current.Id, ct)).State;
        if (job.ContainerStartedAt is null || state?.Status == "created")
        {
            // The container was never started (the node died before, or between marking it as
            // starting and the start call): the job did not run, so it may run now.
            await RemoveAllAsync(containers, ct);
            var requeued = job.Attempt < options.Value.MaxAttempts && await writer.RequeueAsync(job,
                $"its node ({formerNode}) stopped before the container started.", ct);
            if (!requeued)
            {
                await writer.WriteAsync(job, JobOutcome.Failed(
                    $"The job could not be started in {job.Attempt} attempts; its node ({formerNode}) stopped each time.", transient: true), ct);
            }
            LogReconciled(logger, job.Id, formerNode, requeued ? "queued again (never started)" : "ERROR (too many attempts)");
            return;
        }
        if (current is null || state is null)
        {
            await writer.WriteAsync(job, JobOutcome.Failed(
                $"The job was lost with its node {formerNode}: its container can no longer be found, so its outcome is unknown.",
                transient: true), ct);
            LogReconciled(logger, job.Id, formerNode, "ERROR (container gone)");
            return;
        }
        var running = state.Running;
        if (running)
        {
            await docker.KillContainerAsync(current.Id, "KILL", ct);
            await docker.WaitContainerAsync(current.Id, ContainerWaitCondition.NotRunning, ct);
        }
        var outcome = await collector.CollectAsync(current.Id, job, running ? CollectReason.LostWithNode : CollectReason.Exited, formerNode, ct);
        await writer.WriteAsync(job, outcome, ct);
        await RemoveAllAsync(containers, ct);
        LogReconciled(logger, job.Id, formerNode, running ? "ERROR (killed, lost with its node)" : $"{outcome.Phase} (had finished)");
    }

    /// <summary>Removes job containers whose job is gone, no longer EXECUTING, or on a later attempt.</summary>
    public async Task<int> SweepOrphansAsync(CancellationToken ct)
    {
        var containers = await docker.ListContainersAsync([ContainerLabels.Job, $"{ContainerLabels.Instance}={node.Instance}"], ct);
        if (containers.Count == 0)
        {
            return 0;
        }
        var executing = await queue.ExecutingAttemptsAsync(containers.Select(c => c.Labels[ContainerLabels.Job]).Distinct().ToArray(), ct);
        var orphans = containers.Where(c =>
            !executing.TryGetValue(c.Labels[ContainerLabels.Job], out var attempt)
            || !c.Labels.TryGetValue(ContainerLabels.Attempt, out var a)
            || !int.TryParse(a, CultureInfo.InvariantCulture, out var containerAttempt)
            || containerAttempt < attempt).ToList();
        await RemoveAllAsync(orphans, ct);
        return orphans.Count;
    }

    async Task RemoveAllAsync(IEnumerable<ContainerSummary> containers, CancellationToken ct)
    {
        foreach (var container in containers)
        {
            try
            {
                await docker.RemoveContainerAsync(container.Id, force: true, removeVolumes: true, ct);
            }
            catch (DockerContainerNotFoundException)
            {
            }
            catch (DockerConflictException)
            {
                // Removal already in progress elsewhere.
            }
        }
    }

    [LoggerMessage(EventId = 1601, Level = LogLevel.Warning, Message = "Job {JobId}, lost with node {FormerNode}: {Outcome}")]
    static partial void LogReconciled(ILogger logger, string jobId, string? formerNode, string outcome);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Warning, Message = "Reaping expired leases failed; retrying next period")]
    static partial void LogReapFailed(ILogger logger, Exception ex);
}
