using ExecutionPlanner.Docker;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Whether this node's Docker engine answers. A run that finds it unreachable marks it away and puts its job back
/// without spending an attempt; every slot then waits here, pinging with back-off, before it claims again. So an
/// engine restart leaves QUEUED jobs queued (none ends in ERROR for it) instead of burning their attempts.
/// </summary>
public sealed partial class EngineGate(DockerEngineClient docker, TimeProvider clock, ILogger<EngineGate> logger)
{
    static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(200);
    static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    volatile bool away;

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
                await docker.PingAsync(ct);
                away = false;
                LogBack(logger);
            }
            catch (DockerEngineException)
            {
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

    [LoggerMessage(EventId = 1505, Level = LogLevel.Information, Message = "The Docker engine answers again; slots claim jobs")]
    static partial void LogBack(ILogger logger);
}
