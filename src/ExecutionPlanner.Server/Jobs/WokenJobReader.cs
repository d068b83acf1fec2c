using System.Threading.Channels;
using ExecutionPlanner.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// Re-reads jobs for blocking GETs that were just woken. One NOTIFY burst (say one UPDATE moving a
/// thousand jobs) wakes many waiters at once; reading each job with its own two queries queues them
/// all on the connection pool. Here they are coalesced: every re-read asked for while the previous
/// batch ran is answered by one query for the jobs and one for their files. Reads only, so nothing
/// about durability changes; the answer is as fresh as a per-request read started at the same moment.
/// </summary>
public sealed partial class WokenJobReader(WokenJobReader.ReaderDataSource dataSource, ILogger<WokenJobReader> logger) : BackgroundService
{
    const int MaxBatch = 2000;

    /// <summary>
    /// The batches' own connections, so that a wake-up never queues for a pooled connection behind
    /// the requests of a busy server (one batch runs at a time).
    /// </summary>
    public sealed class ReaderDataSource(string connectionString) : IDisposable
    {
        public Npgsql.NpgsqlDataSource DataSource { get; } = new Npgsql.NpgsqlDataSourceBuilder(
            new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 2 }.ConnectionString).Build();

        public void Dispose() => DataSource.Dispose();
    }

    readonly DbContextOptions<UwsDbContext> dbOptions = Options(dataSource);

    static DbContextOptions<UwsDbContext> Options(ReaderDataSource dataSource)
    {
        var builder = new DbContextOptionsBuilder<UwsDbContext>();
        UwsDbContext.Configure(builder, dataSource.DataSource);
        return builder.Options;
    }

    readonly Channel<Request> requests = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>The job (null when gone) and its file list, read in a batch with other woken requests.</summary>
    public async Task<(JobEntity? Job, List<JobFileInfo> Files)> ReadAsync(string jobId, CancellationToken ct)
    {
        var request = new Request(jobId);
        if (!requests.Writer.TryWrite(request))
        {
            throw new InvalidOperationException("The server is stopping.");
        }
        return await request.Result.Task.WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Request>(MaxBatch);
        try
        {
            while (await requests.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && requests.Reader.TryRead(out var r))
                {
                    batch.Add(r);
                }
                try
                {
                    await ReadBatchAsync(batch, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogBatchFailed(logger, batch.Count, ex);
                    foreach (var r in batch)
                    {
                        r.Result.TrySetException(ex);
                    }
                }
            }
        }
        finally
        {
            requests.Writer.TryComplete();
            foreach (var r in batch)
            {
                r.Result.TrySetCanceled(stoppingToken);
            }
            while (requests.Reader.TryRead(out var r))
            {
                r.Result.TrySetCanceled(stoppingToken);
            }
        }
    }

    async Task ReadBatchAsync(List<Request> batch, CancellationToken ct)
    {
        var ids = batch.Select(r => r.JobId).Distinct(StringComparer.Ordinal).ToList();
        await using var db = new UwsDbContext(dbOptions);
        var jobs = await db.Jobs.AsNoTracking().Where(j => ids.Contains(j.Id)).ToDictionaryAsync(j => j.Id, StringComparer.Ordinal, ct);
        var files = (await db.JobFiles.AsNoTracking()
                .Where(f => ids.Contains(f.JobId))
                .OrderBy(f => f.JobId).ThenBy(f => f.Kind).ThenBy(f => f.Name)
                .Select(f => new { f.JobId, Info = new JobFileInfo(f.Kind, f.Name, f.MimeType, f.Size) })
                .ToListAsync(ct))
            .GroupBy(f => f.JobId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(f => f.Info).ToList(), StringComparer.Ordinal);
        foreach (var r in batch)
        {
            r.Result.TrySetResult((jobs.GetValueOrDefault(r.JobId), files.TryGetValue(r.JobId, out var f) ? [.. f] : []));
        }
    }

    sealed class Request(string jobId)
    {
        public string JobId { get; } = jobId;

        public TaskCompletionSource<(JobEntity? Job, List<JobFileInfo> Files)> Result { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(EventId = 1111, Level = LogLevel.Warning, Message = "Reading {Count} woken jobs failed")]
    static partial void LogBatchFailed(ILogger logger, int count, Exception ex);
}
