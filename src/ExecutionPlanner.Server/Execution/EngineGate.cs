using ExecutionPlanner.Docker;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Whether this node's Docker engine answers. A run that finds it unreachable marks it away and puts its job back
/// without spending an attempt; every slot then waits here, pinging with back-off, before it claims again. So an
/// engine restart leaves QUEUED jobs queued (none ends in ERROR for it) instead of burning their attempts.
/// The engine counts as away until the first ping answers (which also agrees the API version): no job is claimed
/// on a node whose engine never answered.
/// </summary>
public sealed partial class EngineGate(DockerEngineClient docker, TimeProvider clock, ILogger<EngineGate> logger)
{
    static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(200);
    static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    volatile bool away = true;

    public bool IsAway => away;

    public void MarkAway() => away = true;

    /// <summary>Returns at once while the engine is known to answer; otherwise when a ping succeeds again.</summary>
    public async Task WaitUntilAnsweringAsync(CancellationToken ct)
    {
        var backoff = MinBackoff;
        while (away)
        {
            try
            {
                var version = await docker.PingAsync(ct);
                away = false;
                LogBack(logger, docker.Endpoint, version);
            }
            catch (DockerEngineException ex)
            {
                LogAway(logger, backoff, ex.Message);
                await Task.Delay(backoff, clock, ct);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    /// <summary>True when the engine does not answer a ping now (it is then marked away).</summary>
    public async Task<bool> CheckAwayAsync()
    {
        try
        {
            await docker.PingAsync(CancellationToken.None);
            return false;
        }
        catch (DockerEngineException)
        {
            MarkAway();
            return true;
        }
    }

    [LoggerMessage(EventId = 1505, Level = LogLevel.Information, Message = "The Docker engine at {Endpoint} answers (API {ApiVersion}); slots claim jobs")]
    static partial void LogBack(ILogger logger, Uri endpoint, Version apiVersion);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Warning, Message = "Docker engine unavailable; no job is claimed until it answers (retry in {Backoff}): {Reason}")]
    static partial void LogAway(ILogger logger, TimeSpan backoff, string reason);
}
