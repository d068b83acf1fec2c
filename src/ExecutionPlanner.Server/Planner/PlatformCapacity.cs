using ExecutionPlanner.Docker;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// The platform's cores and memory: what the operator configured (Planner:PlatformCores,
/// Planner:PlatformMemory), and for what is not configured, what the Docker engine reports
/// (GET /info: NCPU, MemTotal), asked once and remembered. Without an engine, this process's view
/// of the machine is used, and a warning logged.
/// </summary>
public sealed partial class PlatformCapacity(
    IOptionsMonitor<PlannerOptions> options, DockerEngineClient docker, ILogger<PlatformCapacity> logger) : IDisposable
{
    readonly SemaphoreSlim gate = new(1, 1);
    Capacity? engine;

    public async ValueTask<Capacity> GetAsync(CancellationToken ct)
    {
        var o = options.CurrentValue;
        if (o.PlatformCores > 0 && o.PlatformMemoryBytes is { } configured)
        {
            return new Capacity(o.PlatformCores, configured);
        }
        var reported = engine ?? await AskEngineAsync(ct);
        return new Capacity(o.PlatformCores > 0 ? o.PlatformCores : reported.Cores, o.PlatformMemoryBytes ?? reported.MemoryBytes);
    }

    async Task<Capacity> AskEngineAsync(CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        try
        {
            if (engine is { } known)
            {
                return known;
            }
            try
            {
                var resources = await docker.GetEngineResourcesAsync(ct);
                engine = new Capacity(resources.Cores, resources.MemoryBytes);
            }
            catch (Exception ex) when (ex is DockerEngineException or TimeoutException)
            {
                LogEngineUnavailable(logger, ex);
                engine = new Capacity(Environment.ProcessorCount, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
            }
            return engine.Value;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning,
        Message = "The Docker engine did not say how many cores and how much memory it has; using this process's view. Set Planner:PlatformCores and Planner:PlatformMemory.")]
    static partial void LogEngineUnavailable(ILogger logger, Exception ex);
}
