using Hangfire;
using Microsoft.Extensions.Options;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Jobs.Waiting;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// The Hangfire job that runs one UWS job's container. Hangfire delivers it at least once (a redelivery after a
/// node died, a duplicate enqueue after a crash); the UWS row makes the run exactly-once: the claim is a
/// compare-and-set QUEUED -> EXECUTING with a fresh fence token, so only one delivery ever runs the container, and
/// a delivery that finds the job EXECUTING under a lease that ran out settles what the earlier attempt left.
/// Every other delivery returns at once and Hangfire marks it Succeeded with a result that says why.
/// </summary>
public sealed class UwsJobRun(
    RunQueue queue,
    JobChangeHub changes,
    ContainerRunner runner,
    LeaseReaper reaper,
    EngineGate engine,
    ExecutionNode node,
    IHostApplicationLifetime lifetime,
    IOptions<ExecutionOptions> options)
{
    /// <summary>Hangfire's queue of container jobs; every execution node's workers (its slots) take from it.</summary>
    public const string Queue = "uws";

    /// <remarks>
    /// Retries are off: a failed container is an ERROR, not a retry; a job that could not start is put back in
    /// the UWS queue by the runner (which enqueues a new Hangfire job). The container's lifetime follows the UWS
    /// phase and lease, never Hangfire's cancellation token (it also fires when another worker re-fetches the
    /// Hangfire job after a keep-alive hiccup, which must not kill a healthy run), so the method takes none;
    /// node shutdown is the host's stopping token, and it leaves the container running for the reaper.
    /// </remarks>
    /// <param name="jobId">The UWS job.</param>
    /// <param name="owner">Its owner: shown in the dashboard beside the id, never used to decide anything.</param>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("UWS job {0} (owner {1})")]
    public async Task<string> RunAsync(string jobId, string owner)
    {
        var stopping = lifetime.ApplicationStopping;
        // A job claimed while the engine is away could only fail: wait for it first (an outage spends no attempt).
        await engine.WaitUntilAnsweringAsync(stopping);

        // Subscribed before the claim, so the run's watch for ABORT and DELETE misses no change after it.
        using var sinceClaim = changes.Subscribe(jobId, except: ExecutionPhase.EXECUTING);
        // The claim commits EXECUTING under our lease before anything else happens. Dies after it -> the lease
        // runs out and the reaper (or a redelivery of this Hangfire job) settles the job by its container.
        var job = await queue.ClaimByIdAsync(jobId, node.Id, options.Value.LeaseDuration, stopping);
        if (job is not null)
        {
            CrashPoints.Reach(CrashPoints.Claimed);
            await runner.RunAsync(job, sinceClaim, stopping);
            // Dies here -> the outcome is written; Hangfire delivers this job again later and it finds nothing to do.
            CrashPoints.Reach(CrashPoints.Settled);
            return $"ran attempt {job.Attempt} on {node.Id}";
        }
        if (await reaper.ReapJobAsync(jobId, stopping))
        {
            return "settled what an earlier attempt left (its lease had run out)";
        }
        return "nothing to do: the UWS job is no longer QUEUED";
    }
}
