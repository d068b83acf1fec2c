using System.Threading.Channels;
using ExecutionPlanner.Docker;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Removes finished job containers (and their volumes) off the slots' critical path: a slot hands the
/// container over once the job's outcome is committed and claims its next job at once. If the process
/// dies before a removal, the reaper's orphan sweep removes the container (its job is no longer EXECUTING).
/// </summary>
public sealed partial class ContainerRemover(DockerEngineClient docker, ILogger<ContainerRemover> logger) : BackgroundService
{
    readonly Channel<string> pending = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public void Remove(string containerId)
    {
        if (!pending.Writer.TryWrite(containerId))
        {
            // Stopping: the orphan sweep of the next start (or another node) removes it.
            LogNotRemoved(logger, containerId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var containerId in pending.Reader.ReadAllAsync(stoppingToken))
            {
                await RemoveQuietlyAsync(containerId);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            pending.Writer.TryComplete();
            // Best effort on the way out; what is left is an orphan for the sweep.
            while (pending.Reader.TryRead(out var containerId))
            {
                await RemoveQuietlyAsync(containerId);
            }
        }
    }

    async Task RemoveQuietlyAsync(string containerId)
    {
        try
        {
            await docker.RemoveContainerAsync(containerId, force: true, removeVolumes: true, CancellationToken.None);
        }
        catch (DockerContainerNotFoundException)
        {
            // Already gone (another node's orphan sweep got there first).
        }
        catch (Exception ex) when (ex is DockerEngineException or TimeoutException or HttpRequestException)
        {
            LogRemoveFailed(logger, containerId, ex);
        }
    }

    [LoggerMessage(EventId = 1701, Level = LogLevel.Warning, Message = "Could not remove container {ContainerId}; the orphan sweep will")]
    static partial void LogRemoveFailed(ILogger logger, string containerId, Exception ex);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Information, Message = "Stopping: container {ContainerId} is left for the orphan sweep")]
    static partial void LogNotRemoved(ILogger logger, string containerId);
}
