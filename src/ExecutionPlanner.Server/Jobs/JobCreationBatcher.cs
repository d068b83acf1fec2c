using ExecutionPlanner.Server.Http;
using System.Threading.Channels;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Persistence;
using Npgsql;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// Group commit for job creation. A durable commit costs one WAL flush (fdatasync), and on this kind of
/// disk that flush, not the server's CPU, caps one-commit-per-job creation at the disk's flush rate.
/// Here concurrent creations share a transaction: each request enqueues its fully validated job and
/// awaits; a writer loop takes everything queued (up to <see cref="MaxBatchJobs"/> jobs or about
/// <see cref="MaxBatchBytes"/> of uploads), writes it in one transaction and commits once.
///
/// Guarantees, unchanged from one transaction per request:
/// <list type="bullet">
/// <item>A request is answered 303 only after the transaction holding its job committed
/// (synchronous_commit stays on), so every acknowledged job is durable. If the process dies before the
/// commit, none of that batch's clients got a 303 and none of those jobs exists.</item>
/// <item>Input is validated before it is enqueued, so a bad request is still a 4xx and never reaches a
/// batch. A failure here is a server or database fault (5xx).</item>
/// <item>One job cannot fail the others: if a batch's transaction fails, its jobs are retried one per
/// transaction and only the ones that fail again see an error.</item>
/// <item>The NOTIFY for a job created with PHASE=RUN comes from the INSERT trigger and is delivered when
/// the batch commits, as before.</item>
/// </list>
/// No added latency when idle: a writer waiting on an empty queue starts as soon as one job arrives;
/// batches only form from the jobs that arrived while the previous commit was running.
/// </summary>
public sealed partial class JobCreationBatcher(NpgsqlDataSource dataSource, ILogger<JobCreationBatcher> logger) : BackgroundService
{
    /// <summary>Most jobs in one transaction; keeps a batch's statement and its lock set bounded.</summary>
    internal const int MaxBatchJobs = 256;

    /// <summary>Upload bytes after which a batch takes no more jobs (a single larger job still goes alone).</summary>
    internal const long MaxBatchBytes = 16L * 1024 * 1024;

    /// <summary>
    /// Writer loops. One: every job that arrives while a commit runs joins the next batch, so the
    /// number of transactions (and their CPU on a small machine) is smallest. Two loops split those
    /// jobs into smaller batches; measured back to back on the shared 2-vCPU machine, 8 clients made
    /// 939 jobs/s with one loop and 363 with two (noisy, but not in two's favour).
    /// </summary>
    const int Writers = 1;

    readonly Channel<PendingCreation> queue = Channel.CreateUnbounded<PendingCreation>();

    /// <summary>
    /// Writes the job and its inputs; returns once they are committed. Throws the database's error if
    /// this job alone could not be written, and 503 while the server is stopping.
    /// </summary>
    public async Task CreateAsync(JobEntity job, IReadOnlyList<JobInput> inputs)
    {
        var pending = new PendingCreation(job, inputs);
        if (!queue.Writer.TryWrite(pending))
        {
            throw new UwsRequestException(StatusCodes.Status503ServiceUnavailable, "The server is stopping; create the job again.");
        }
        // Not cancellable: once queued the job may be committed at any moment, and the caller leaving
        // does not undo that. A client that went away simply never sees the 303.
        await pending.Committed.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Stopping closes the queue to new jobs; the writers still commit everything already queued
        // (their requests are waiting for it), then end.
        await using var stop = stoppingToken.Register(() => queue.Writer.TryComplete());
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(WriteLoopAsync, CancellationToken.None)));
    }

    async Task WriteLoopAsync()
    {
        var reader = queue.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            var batch = Take(reader);
            if (batch.Count > 0)
            {
                await WriteAsync(batch);
            }
        }
    }

    /// <summary>Everything queued right now, within the batch limits; the byte budget is soft by at most one job.</summary>
    static List<PendingCreation> Take(ChannelReader<PendingCreation> reader)
    {
        var batch = new List<PendingCreation>();
        long bytes = 0;
        while (batch.Count < MaxBatchJobs && bytes < MaxBatchBytes && reader.TryRead(out var next))
        {
            batch.Add(next);
            bytes += next.Bytes;
        }
        return batch;
    }

    /// <summary>Writes one batch and completes every waiter in it, whatever happens.</summary>
    internal async Task WriteAsync(IReadOnlyList<PendingCreation> batch)
    {
        try
        {
            await NewJobRows.InsertAsync(dataSource, batch, CancellationToken.None);
            Complete(batch);
            return;
        }
        catch (NpgsqlException ex) when (batch.Count > 1)
        {
            // Nothing of the batch was committed (or, if the connection broke during COMMIT, the outcome
            // is unknown; the retries below then fail on the existing ids and those clients get an error
            // for a job that exists: not acknowledged, never lost). Find the job(s) at fault.
            LogBatchFailed(logger, batch.Count, ex);
        }
        catch (Exception ex)
        {
            // A single job, or a fault other than the database's: its waiters must still be answered,
            // or their requests would hang.
            Fail(batch, ex);
            return;
        }
        foreach (var job in batch)
        {
            try
            {
                await NewJobRows.InsertAsync(dataSource, [job], CancellationToken.None);
                job.Committed.TrySetResult();
            }
            catch (Exception ex)
            {
                LogJobFailed(logger, job.Job.Id, ex);
                job.Committed.TrySetException(ex);
            }
        }
    }

    static void Complete(IReadOnlyList<PendingCreation> batch)
    {
        foreach (var job in batch)
        {
            job.Committed.TrySetResult();
        }
    }

    void Fail(IReadOnlyList<PendingCreation> batch, Exception ex)
    {
        foreach (var job in batch)
        {
            LogJobFailed(logger, job.Job.Id, ex);
            job.Committed.TrySetException(ex);
        }
    }

    [LoggerMessage(EventId = 1121, Level = LogLevel.Warning, Message = "A batch of {Count} new jobs failed; writing them one by one")]
    static partial void LogBatchFailed(ILogger logger, int count, Exception ex);

    [LoggerMessage(EventId = 1122, Level = LogLevel.Error, Message = "New job {JobId} could not be written")]
    static partial void LogJobFailed(ILogger logger, string jobId, Exception ex);
}
