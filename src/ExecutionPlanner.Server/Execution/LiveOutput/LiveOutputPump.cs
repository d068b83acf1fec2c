using ExecutionPlanner.Docker;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExecutionPlanner.Server.Execution.LiveOutput;

/// <summary>
/// Publishes a running job's output while it runs. Only the node running a job can read its container's logs
/// from its engine, so that node pushes what it reads into the database: every
/// <see cref="LiveOutputOptions.LiveOutputInterval"/> the new lines go out as NOTIFY on uws_job_event (every node's
/// event streams relay them as stdout/stderr events) and the latest part of each stream is stored in
/// job_output_tails (any node serves it at …/results/stdout while the job runs). Nothing here can fail a run: a
/// fault stops the live output of that job, with a warning, and the outcome is collected as always.
/// </summary>
public sealed partial class LiveOutputPump(
    DockerEngineClient docker,
    NpgsqlDataSource dataSource,
    IOptions<LiveOutputOptions> options,
    TimeProvider clock,
    ILogger<LiveOutputPump> logger)
{
    /// <summary>Starts following a started container. Stop it once the container has ended; dispose it after the outcome is stored.</summary>
    public LiveOutputRun Start(string jobId, string containerId) =>
        new(jobId, containerId, docker, dataSource, options.Value, clock, logger);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Job {JobId}: live output stopped; the outcome is collected as usual")]
    internal static partial void LogFailed(ILogger logger, string jobId, Exception ex);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "Job {JobId}: reading the container's logs live failed; what was read is published")]
    internal static partial void LogFollowFailed(ILogger logger, string jobId, Exception ex);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Job {JobId}: removing the live output tail failed; it goes with the job")]
    internal static partial void LogCleanupFailed(ILogger logger, string jobId, Exception ex);
}
