using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Jobs;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// This node's execution slots. Each free slot claims the oldest QUEUED job and runs it; an idle
/// slot sleeps until NOTIFY says a job was queued, or the poll interval passes (NOTIFY is a hint,
/// polling guarantees progress). A fault in one round is logged and backed off; the loop never dies.
/// </summary>
public sealed partial class JobDispatcher(
    RunQueue queue,
    ContainerRunner runner,
    LeaseReaper reaper,
    EngineGate engine,
    JobChangeHub changes,
    DockerEngineClient docker,
    ExecutionNode node,
    IOptions<ExecutionOptions> options,
    TimeProvider clock,
    ILogger<JobDispatcher> logger) : BackgroundService
{
    static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(200);
    static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            return;
        }
        await ConnectAsync(stoppingToken);
        if (node.IsStable)
        {
            // A restarted node with a stable name settles its own leftovers now, not after their leases run out.
            await reaper.ReconcileOwnLeftoversAsync(stoppingToken);
        }
        LogSlots(logger, node.Id, o.EffectiveSlots);
        await Task.WhenAll(Enumerable.Range(0, o.EffectiveSlots).Select(_ => SlotAsync(o, stoppingToken)));
    }

    async Task SlotAsync(ExecutionOptions o, CancellationToken stoppingToken)
    {
        await Task.Yield();
        var backoff = MinBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A job claimed while the engine is away could only fail: wait for it first.
                await engine.WaitUntilAnsweringAsync(stoppingToken);
                var job = await queue.ClaimAsync(node.Id, o.LeaseDuration, stoppingToken);
                if (job is null)
                {
                    await changes.WaitForQueuedAsync(o.PollInterval, stoppingToken);
                    continue;
                }
                await runner.RunAsync(job, stoppingToken);
                backoff = MinBackoff;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogSlotFailed(logger, backoff, ex);
                await Task.Delay(backoff, clock, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    /// <summary>No slot claims work until the engine answers: a job claimed now could only fail.</summary>
    async Task ConnectAsync(CancellationToken stoppingToken)
    {
        var backoff = MinBackoff;
        while (true)
        {
            try
            {
                var version = await docker.ConnectAsync(stoppingToken);
                LogConnected(logger, docker.Endpoint, docker.ApiVersion, version.Version);
                return;
            }
            catch (DockerEngineException ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogEngineUnavailable(logger, backoff, ex);
                await Task.Delay(backoff, clock, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    [LoggerMessage(EventId = 1501, Level = LogLevel.Information, Message = "Node {Node} runs jobs in {Slots} slots")]
    static partial void LogSlots(ILogger logger, string node, int slots);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "Execution slot failed; retrying in {Backoff}")]
    static partial void LogSlotFailed(ILogger logger, TimeSpan backoff, Exception ex);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Information, Message = "Docker engine at {Endpoint}: API {ApiVersion}, engine {EngineVersion}")]
    static partial void LogConnected(ILogger logger, Uri endpoint, Version? apiVersion, string engineVersion);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Warning, Message = "Docker engine unavailable; no job is claimed until it answers (retry in {Backoff})")]
    static partial void LogEngineUnavailable(ILogger logger, TimeSpan backoff, Exception ex);
}
