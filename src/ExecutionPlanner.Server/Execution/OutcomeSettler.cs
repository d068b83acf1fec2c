using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Store;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Step 6 of a run (<see cref="ContainerRunner"/>): the stopped container's outcome collected and written, fenced by
/// the lease, through the passing faults of an engine or database outage.
/// </summary>
public sealed partial class OutcomeSettler(
    DockerEngineClient docker,
    OutcomeCollector collector,
    OutcomeWriter writer,
    TimeProvider clock,
    ILogger<OutcomeSettler> logger)
{
    /// <summary>
    /// Collects and writes the outcome. A passing fault of the engine or the database is retried with back-off
    /// (a job that finished is never turned into a false ERROR by one); any other failure to collect ends the job
    /// in ERROR saying so, never as "lost with its node". False when nothing could be written at all.
    /// <paramref name="beforeWrite"/> sees each collected outcome before it is written (the live output's last lines).
    /// </summary>
    public async Task<bool> SettleAsync(ClaimedJob job, string containerId, CollectReason reason, Func<JobOutcome, Task>? beforeWrite = null)
    {
        var delay = TimeSpan.FromSeconds(1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var outcome = await collector.CollectAsync(containerId, job, reason, null, CancellationToken.None);
                if (beforeWrite is not null)
                {
                    await beforeWrite(outcome);
                }
                if (!await writer.WriteAsync(job, outcome, CancellationToken.None))
                {
                    LogFencedOut(logger, job.Id);
                }
                else
                {
                    LogFinished(logger, job.Id, outcome.Phase, outcome.ExitCode);
                }
                return true;
            }
            catch (Exception ex) when (IsPassing(ex) && attempt < CollectAttempts)
            {
                LogCollectRetry(logger, job.Id, attempt, ex);
                await Task.Delay(delay, clock);
                delay *= 2;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogCollectFailed(logger, job.Id, ex);
                try
                {
                    var failed = JobOutcome.Failed($"The container ended, but its outcome could not be collected: {DisplayText.Clean(ex.Message, 500)}");
                    await writer.WriteAsync(job, failed with { ExitCode = await ExitCodeOrNullAsync(containerId) }, CancellationToken.None);
                    return true;
                }
                catch (Exception writeFailure) when (writeFailure is not OperationCanceledException)
                {
                    LogCollectFailed(logger, job.Id, writeFailure);
                    return false;
                }
            }
        }
    }

    const int CollectAttempts = 5;

    static bool IsPassing(Exception ex) =>
        ex is DockerEngineUnavailableException or TimeoutException
        || (ex is Npgsql.NpgsqlException npgsql && npgsql.IsTransient)
        // A connection broken mid-transaction by the outage disposes the transaction under us.
        || ex is ObjectDisposedException { ObjectName: "NpgsqlTransaction" or "NpgsqlConnection" }
        || (ex is Microsoft.EntityFrameworkCore.DbUpdateException { InnerException: Npgsql.NpgsqlException { IsTransient: true } });

    async Task<int?> ExitCodeOrNullAsync(string containerId)
    {
        try
        {
            return (int)(await docker.InspectContainerAsync(containerId, CancellationToken.None)).State.ExitCode;
        }
        catch (DockerEngineException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "Job {JobId} ended {Phase} (exit code {ExitCode})")]
    static partial void LogFinished(ILogger logger, string jobId, ExecutionPhase phase, int? exitCode);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Job {JobId}: the lease was lost before the outcome was written; another node owns the job")]
    static partial void LogFencedOut(ILogger logger, string jobId);

    [LoggerMessage(EventId = 1407, Level = LogLevel.Warning, Message = "Job {JobId}: collecting the outcome failed (attempt {Attempt}); retrying")]
    static partial void LogCollectRetry(ILogger logger, string jobId, int attempt, Exception ex);

    [LoggerMessage(EventId = 1408, Level = LogLevel.Error, Message = "Job {JobId}: the outcome could not be collected")]
    static partial void LogCollectFailed(ILogger logger, string jobId, Exception ex);
}
