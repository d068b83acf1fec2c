using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Execution.LiveOutput;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Waiting;
using ExecutionPlanner.Server.Observability;
using ExecutionPlanner.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ExecutionPlanner.Server.Jobs.Store;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Runs one claimed job as a container. The steps are numbered; each says what holds if this
/// process dies right there. No database transaction is open while the container runs.
/// </summary>
public sealed partial class ContainerRunner(
    DockerEngineClient docker,
    RunQueue queue,
    RunningJobs runningJobs,
    JobChangeHub changes,
    ContainerSpecFactory specs,
    JobUserResolver users,
    ImageJobFolders imageFolders,
    OutcomeSettler settler,
    OutcomeWriter writer,
    InputStaging staging,
    ContainerRemover remover,
    LiveOutputPump liveOutput,
    EngineGate engine,
    ExecutionNode node,
    ExecutionPlannerMeter meter,
    IServiceScopeFactory scopes,
    IOptionsMonitor<JobsOptions> jobsOptions,
    IOptions<ExecutionOptions> options,
    TimeProvider clock,
    ILogger<ContainerRunner> logger)
{
    static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(10);

    /// <param name="job">The job as its claim returned it.</param>
    /// <param name="sinceClaim">The job's changes, subscribed (except EXECUTING) before the claim: the claim's answer is
    /// the watch's first read, so an ABORT or DELETE right after it is not missed. The caller disposes it.</param>
    /// <param name="nodeStopping">The host is stopping: the container is left running for the reaper.</param>
    public async Task RunAsync(ClaimedJob job, JobChangeHub.Subscription sinceClaim, CancellationToken nodeStopping)
    {
        // 1. Claimed and committed: EXECUTING under our lease. Dies here -> the lease expires, the
        //    reaper sees container_started_at unset and queues the job again.
        // executionDuration is wall-clock time from the claim (the job's startTime), so the time
        // spent creating and starting the container counts against it too.
        var claimedAt = clock.GetUtcNow();
        if (job.QueuedAt is { } queuedAt)
        {
            meter.QueueWait(claimedAt - queuedAt);
        }
        var deadline = job.ExecutionDuration > 0 ? claimedAt + TimeSpan.FromSeconds(job.ExecutionDuration) : (DateTimeOffset?)null;
        using var running = runningJobs.Add(job, claimedAt, nodeStopping);
        using var watchStop = CancellationTokenSource.CreateLinkedTokenSource(running.Stopping);
        var watch = WatchForStopAsync(running, sinceClaim, watchStop.Token);
        string? containerId = null;
        var mayHaveStarted = false;
        try
        {
            var (spec, inputs) = await LoadSpecAsync(job, nodeStopping);
            if (spec is null)
            {
                return;
            }
            // 1b. Fetch the inputs given by reference (nothing is created yet). Dies here -> as at 1.
            try
            {
                inputs.AddRange(await staging.FetchAsync(job.Id, job.Parameters, nodeStopping));
            }
            catch (InputStagingException ex)
            {
                await writer.WriteAsync(job, JobOutcome.Failed(ex.Message), nodeStopping);
                return;
            }
            running.InputBytes = inputs.Sum(i => i.Size);
            var imageOverride = specs.OverrideFor(spec.Image);
            var resolved = await ResolveUserAsync(job, spec, imageOverride, nodeStopping);
            if (resolved is not { } run)
            {
                return;
            }

            // 2. Create the container (labelled with job and attempt). Dies here -> an unstarted
            //    container that the reaper removes before queueing the job again.
            var shippedFolders = inputs.Count == 0 && await imageFolders.ShipsUsableFoldersAsync(run.Image, run.User, nodeStopping);
            containerId = await CreateAsync(job, specs.Create(job, spec, node, run.Image, run.User, shippedFolders), nodeStopping);
            if (containerId is null)
            {
                return;
            }
            CrashPoints.Reach(CrashPoints.Created);

            // 3. Make the job's folders in its empty /uws volume, owned by its user, with the uploads in
            //    inputs/ (through the archive API, never host paths), unless the volume started as the image's
            //    own empty folders. With uploads the container is recorded first; without, nothing worth
            //    recording happens in between, so step 4's write records it.
            if (inputs.Count > 0 && !await queue.MarkContainerAsync(job.Id, job.LeaseToken, containerId, nodeStopping))
            {
                return;
            }
            if (!shippedFolders)
            {
                await using var tar = await TarArchives.CreateAsync(JobFolders.Entries(inputs, run.User), nodeStopping);
                await docker.PutArchiveAsync(containerId, ContainerSpecFactory.UwsPath, tar, nodeStopping);
            }

            // 4. Record that the job may run from now on, then start it. Dies after this -> the
            //    reaper collects the outcome or kills the container; the job is never run twice.
            if (!await queue.MarkStartingAsync(job.Id, job.LeaseToken, containerId, nodeStopping))
            {
                return;
            }
            if (imageOverride is not null)
            {
                await AppendMessageAsync(job.Id, JobFolders.OverrideMessage(imageOverride, run.User), nodeStopping);
            }
            mayHaveStarted = true;
            CrashPoints.Reach(CrashPoints.MarkedStarting);
            await docker.StartContainerAsync(containerId, nodeStopping);
            CrashPoints.Reach(CrashPoints.Started);
            LogStarted(logger, job.Id, job.Attempt, containerId[..12]);
            var startedAt = clock.GetUtcNow();
            meter.ContainerStart(startedAt - claimedAt);
            // Live stdout/stderr for event streams and …/results/stdout while it runs; removed after step 6.
            await using var live = liveOutput.Start(job.Id, containerId);

            // 5. Wait for the exit, bounded by executionDuration, an ABORT, a DELETE or a lost lease.
            var why = await WaitAsync(containerId, running, deadline);
            // The container has stopped: an ABORT or DELETE from now on has nothing to kill, and the outcome's
            // write below is fenced by phase and lease anyway, so the watch ends here (a NOTIFY of our own final
            // phase would only make it read the job once more).
            await watchStop.CancelAsync();
            await live.StopAsync();
            if (why is CollectReason ended)
            {
                meter.RunDuration(clock.GetUtcNow() - startedAt, ended.ToString());
            }
            if (why is null)
            {
                // Node stopping: leave the container; the lease runs out and the reaper (or this
                // node after a restart) collects its outcome.
                containerId = null;
                return;
            }

            CrashPoints.Reach(CrashPoints.Exited);

            // 6. Collect and write the outcome, fenced by the lease. Dies before the commit -> the
            //    job is still EXECUTING with our token; the reaper collects the same outcome.
            if (why is CollectReason reason && !await settler.SettleAsync(job, containerId, reason, live.PublishLastAsync))
            {
                // Nothing could be written: leave the container for the reaper to collect once the
                // engine and the database answer again (removing it would lose the outcome).
                containerId = null;
            }
        }
        catch (DockerEngineException ex) when (!nodeStopping.IsCancellationRequested)
        {
            await FailOrRequeueAsync(job, containerId, mayHaveStarted, ex);
        }
        finally
        {
            await watchStop.CancelAsync();
            await watch;
            // 7. Hand the container to the remover (off this slot's path). Dies before it is removed ->
            //    the reaper's orphan sweep removes containers whose job is no longer EXECUTING.
            if (containerId is not null)
            {
                remover.Remove(containerId);
            }
            runningJobs.Remove(running);
        }
    }

    /// <summary>The job's spec and uploads; a job the contract now refuses (policy changed) ends in ERROR.</summary>
    async Task<(JobSpec? Spec, List<JobFileEntity> Inputs)> LoadSpecAsync(ClaimedJob job, CancellationToken ct)
    {
        List<JobFileEntity> inputs = [];
        if (job.HasInputs)
        {
            await using var scope = scopes.CreateAsyncScope();
            inputs = await scope.ServiceProvider.GetRequiredService<UwsDbContext>().InputFilesAsync(job.Id, ct);
        }
        try
        {
            return (JobParameterContract.Validate(job.Parameters, inputs.Select(i => i.Name), jobsOptions.CurrentValue), inputs);
        }
        catch (UwsRequestException ex)
        {
            await writer.WriteAsync(job, JobOutcome.Failed($"The job can no longer run here: {ex.Message}"), ct);
            return (null, inputs);
        }
    }

    /// <summary>The image's defaults and the job's user; null when the job ended in ERROR because neither can be had.</summary>
    async Task<(ImageDetails Image, JobUser User)?> ResolveUserAsync(ClaimedJob job, JobSpec spec, ImageOverride? imageOverride, CancellationToken ct)
    {
        try
        {
            return await users.ResolveAsync(spec.Image, imageOverride?.User, ct);
        }
        catch (DockerImageNotFoundException)
        {
            await writer.WriteAsync(job, JobOutcome.Failed($"The image '{spec.Image}' is not available on this server's Docker engine."), ct);
        }
        catch (JobUserException ex)
        {
            await writer.WriteAsync(job, JobOutcome.Failed(ex.Message), ct);
        }
        return null;
    }

    async Task AppendMessageAsync(string jobId, string text, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await JobMessages.AppendAsync(scope.ServiceProvider.GetRequiredService<UwsDbContext>(), jobId, [JobMessages.Create(clock.GetUtcNow(), text)], ct);
    }

    async Task<string?> CreateAsync(ClaimedJob job, ContainerSpec spec, CancellationToken ct)
    {
        var name = ContainerLabels.NameOf(job.Id, job.Attempt);
        try
        {
            return (await docker.CreateContainerAsync(name, spec, ct)).Id;
        }
        catch (DockerConflictException)
        {
            // A container of this very attempt survived a crash between create and mark; it never started.
            await docker.RemoveContainerAsync(name, force: true, removeVolumes: true, ct);
            return (await docker.CreateContainerAsync(name, spec, ct)).Id;
        }
        catch (DockerImageNotFoundException)
        {
            await writer.WriteAsync(job, JobOutcome.Failed(
                $"The image '{spec.Image}' is not available on this server's Docker engine."), ct);
            return null;
        }
    }

    /// <summary>
    /// Waits for the container to stop. Returns how to collect it, or null when the node is stopping
    /// (leave the container) — and for a lost lease or a deleted job, kills it and returns a value
    /// that is not a <see cref="CollectReason"/> (nothing to collect: the job is not ours).
    /// </summary>
    async Task<object?> WaitAsync(string containerId, RunningJob running, DateTimeOffset? deadline)
    {
        using var overrun = deadline is { } d
            ? new CancellationTokenSource(Max(d - clock.GetUtcNow(), TimeSpan.FromMilliseconds(1)), clock)
            : new CancellationTokenSource();
        using var either = CancellationTokenSource.CreateLinkedTokenSource(running.Stopping, overrun.Token);
        try
        {
            await docker.WaitContainerAsync(containerId, ContainerWaitCondition.NotRunning, either.Token);
            return CollectReason.Exited;
        }
        catch (OperationCanceledException) when (either.IsCancellationRequested)
        {
            var reason = overrun.IsCancellationRequested && !running.Stopping.IsCancellationRequested ? StopReason.Overran : running.Reason;
            if (reason == StopReason.NodeStopping)
            {
                return null;
            }
            await KillAsync(containerId);
            return reason switch
            {
                StopReason.Overran => CollectReason.Overran,
                StopReason.Aborted => CollectReason.Aborted,
                StopReason.ResultsTooLarge => CollectReason.ResultsTooLarge,
                _ => reason,
            };
        }
    }

    static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    async Task KillAsync(string containerId)
    {
        await docker.KillContainerAsync(containerId, "KILL", CancellationToken.None);
        using var grace = new CancellationTokenSource(KillGrace, clock);
        await docker.WaitContainerAsync(containerId, ContainerWaitCondition.NotRunning, grace.Token);
    }

    /// <summary>
    /// Stops the run when the job leaves EXECUTING under our lease (ABORT, DELETE, takeover). NOTIFY
    /// wakes this at once; the poll at the heartbeat interval covers a lost notification.
    /// </summary>
    async Task WatchForStopAsync(RunningJob running, JobChangeHub.Subscription sinceClaim, CancellationToken ct)
    {
        try
        {
            // The claim read the job (EXECUTING, ours) after sinceClaim began: the first wait needs no read before it.
            await sinceClaim.WaitAsync(options.Value.HeartbeatInterval, clock, ct);
            while (!ct.IsCancellationRequested)
            {
                // Every reason to stop moves the job out of EXECUTING (or deletes it); the NOTIFY of our own claim
                // would only cost a read. A lease taken over in EXECUTING sends no NOTIFY: the heartbeat finds that.
                using var subscription = changes.Subscribe(running.Job.Id, except: ExecutionPhase.EXECUTING);
                var reason = await queue.ReadStopReasonAsync(running.Job.Id, running.Job.LeaseToken, ct);
                if (reason != StopReason.None)
                {
                    running.RequestStop(reason);
                    return;
                }
                await subscription.WaitAsync(options.Value.HeartbeatInterval, clock, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The heartbeat still fences us; a failed watch only delays noticing an ABORT.
            LogWatchFailed(logger, running.Job.Id, ex);
        }
    }

    /// <summary>
    /// The engine failed us. Before the container started the job may safely go back to the queue: without
    /// spending an attempt when the engine could not be reached at all (the slots then wait for it, see
    /// <see cref="EngineGate"/>), else up to Execution:MaxAttempts claims. After the start it ends in ERROR
    /// with the engine's message.
    /// </summary>
    async Task FailOrRequeueAsync(ClaimedJob job, string? containerId, bool mayHaveStarted, DockerEngineException ex)
    {
        LogEngineFailed(logger, job.Id, ex);
        var started = mayHaveStarted
            && await queue.ReadStopReasonAsync(job.Id, job.LeaseToken, CancellationToken.None) == StopReason.None
            && containerId is not null && await HasStartedAsync(containerId);
        var away = !started && (ex is DockerEngineUnavailableException || await engine.CheckAwayAsync());
        if (away)
        {
            engine.MarkAway();
        }
        if (!started && (away || job.Attempt < options.Value.MaxAttempts)
            && await writer.RequeueAsync(job, $"the Docker engine failed ({DisplayText.Clean(ex.Message, 300)}).", spendAttempt: !away,
                CancellationToken.None))
        {
            return;
        }
        await writer.WriteAsync(job, JobOutcome.Failed($"The Docker engine failed to run the job: {ex.Message}", transient: true),
            CancellationToken.None);
    }

    async Task<bool> HasStartedAsync(string containerId)
    {
        try
        {
            return (await docker.InspectContainerAsync(containerId, CancellationToken.None)).State.StartedAt is not null;
        }
        catch (DockerEngineException)
        {
            return true;
        }
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Job {JobId} attempt {Attempt} started in container {ContainerId}")]
    static partial void LogStarted(ILogger logger, string jobId, int attempt, string containerId);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "Job {JobId}: the Docker engine failed")]
    static partial void LogEngineFailed(ILogger logger, string jobId, Exception ex);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Warning, Message = "Job {JobId}: watching for ABORT failed; the heartbeat still fences the run")]
    static partial void LogWatchFailed(ILogger logger, string jobId, Exception ex);
}
