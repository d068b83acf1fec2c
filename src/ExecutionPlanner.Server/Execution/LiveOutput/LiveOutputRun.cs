using System.Text;
using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Jobs.Events;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Persistence;
using Npgsql;

namespace ExecutionPlanner.Server.Execution.LiveOutput;

/// <summary>
/// The live output of one run (see <see cref="LiveOutputPump"/>): a log follow filling two <see cref="OutputLineStream"/>,
/// and a loop publishing them. <see cref="StopAsync"/> ends both once the container has ended;
/// <see cref="PublishLastAsync"/> publishes what it printed last, from the logs the outcome collector read, before the
/// job's outcome is written (so a stream sees the last lines before the final phase); <see cref="DisposeAsync"/> then
/// removes the stored tail, once the full stdout and stderr are stored as results.
/// </summary>
public sealed class LiveOutputRun : IAsyncDisposable
{
    /// <summary>NOTIFY payloads per stream per publication at most; lines beyond are counted and said in one line.</summary>
    const int MaxPayloadsPerPublication = 8;

    /// <summary>How long an ended container's log follow may take to deliver its last bytes.</summary>
    static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Output beyond which the end is not caught up from the collected logs (see <see cref="PublishLastAsync"/>).</summary>
    const long CatchUpLimit = 1024 * 1024;

    static readonly (string Name, int Index)[] Streams = [("stdout", 0), ("stderr", 1)];

    readonly string jobId;
    readonly string containerId;
    readonly DockerEngineClient docker;
    readonly NpgsqlDataSource dataSource;
    readonly TimeProvider clock;
    readonly ILogger logger;
    readonly OutputLineStream[] sinks;
    readonly CancellationTokenSource followStop = new();
    readonly CancellationTokenSource startStop = new();
    readonly CancellationTokenSource publishStop = new();
    readonly Task following;
    readonly Task publishing;
    string? ownerId;
    /// <summary>Whether a tail of this run may be stored (set before the upsert is sent): only then is there one to remove.</summary>
    bool tailStored;
    volatile bool failed;
    bool stopped;

    internal LiveOutputRun(string jobId, string containerId, DockerEngineClient docker, NpgsqlDataSource dataSource,
        LiveOutputOptions options, TimeProvider clock, ILogger logger)
    {
        this.jobId = jobId;
        this.containerId = containerId;
        this.docker = docker;
        this.dataSource = dataSource;
        this.clock = clock;
        this.logger = logger;
        sinks = [new OutputLineStream(options.LiveOutputTailBytes), new OutputLineStream(options.LiveOutputTailBytes)];
        following = FollowAsync(options.LiveOutputInterval);
        publishing = PublishLoopAsync(options.LiveOutputInterval);
    }

    /// <summary>
    /// Follows the logs from one interval after the start on: a container that ends sooner (most short jobs) costs no
    /// follow at all, and the catch-up from the collected logs at the end (<see cref="PublishLastAsync"/>) delivers all
    /// it printed, before its final phase, as for any job. A failed follow only stops new lines: what was read is still
    /// published, and the end is caught up.
    /// </summary>
    async Task FollowAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, clock, startStop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try
        {
            await docker.CopyLogsAsync(containerId, sinks[0], sinks[1], new ContainerLogsOptions { Follow = true }, followStop.Token);
        }
        catch (OperationCanceledException) when (followStop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is DockerEngineException or IOException or HttpRequestException or InvalidDataException)
        {
            LiveOutputPump.LogFollowFailed(logger, jobId, ex);
        }
    }

    async Task PublishLoopAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            // Only the wait is cancelled by StopAsync, never a publication under way (its lines would be lost). The
            // first publication comes after one interval, when the follow has begun.
            while (!failed && await timer.WaitForNextTickAsync(publishStop.Token))
            {
                await PublishAsync(final: false, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (publishStop.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One round trip: the changed tails (upserted) and the new lines (NOTIFY), in one implicit transaction, so
    /// they are announced together when it commits. The job's deletion (a foreign key violation) ends the output.
    /// </summary>
    async Task PublishAsync(bool final, CancellationToken ct)
    {
        if (failed)
        {
            return;
        }
        try
        {
            var tails = new (byte[] Content, long Total)?[Streams.Length];
            var lines = new (List<string> Lines, long Skipped)[Streams.Length];
            foreach (var (_, index) in Streams)
            {
                // A run that ends before its first publication without printing anything stores no empty tail: the
                // outcome, written next, holds its stdout and stderr (two round trips fewer for every silent job).
                tails[index] = final && !tailStored && sinks[index].TotalBytes == 0 ? null : sinks[index].TakeTail();
                lines[index] = sinks[index].TakeLines(includePartial: final);
            }
            if (tails.All(t => t is null) && lines.All(l => l.Lines.Count == 0 && l.Skipped == 0))
            {
                return;
            }
            ownerId ??= await JobOutputTails.OwnerOfAsync(dataSource, jobId, ct);
            if (ownerId is null)
            {
                failed = true;
                return;
            }
            await using var batch = dataSource.CreateBatch();
            var now = clock.GetUtcNow();
            foreach (var (name, index) in Streams)
            {
                if (tails[index] is { } tail)
                {
                    batch.BatchCommands.Add(JobOutputTails.Upsert(jobId, name, tail.Content, tail.Total, now));
                    tailStored = true;
                }
                foreach (var payload in Payloads(name, lines[index].Lines, lines[index].Skipped))
                {
                    var notify = new NpgsqlBatchCommand("SELECT pg_notify($1, $2)");
                    notify.Parameters.Add(new NpgsqlParameter { Value = JobEventPayload.Channel });
                    notify.Parameters.Add(new NpgsqlParameter { Value = payload });
                    batch.BatchCommands.Add(notify);
                }
            }
            await batch.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            // The job was deleted: nobody can see its output any more.
            failed = true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            Fail(ex);
        }
    }

    /// <summary>The lines as payloads under <see cref="JobEventPayload.MaxBytes"/>; those beyond the bound become one line saying how many.</summary>
    IEnumerable<string> Payloads(string stream, List<string> lines, long skipped)
    {
        var chunk = new List<string>();
        var size = 0;
        var payloads = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var cost = EstimatedBytes(lines[i]);
            if (chunk.Count > 0 && size + cost > JobEventPayload.MaxBytes - 256)
            {
                yield return JobEventPayload.Output(jobId, ownerId!, stream, chunk);
                chunk = [];
                size = 0;
                if (++payloads == MaxPayloadsPerPublication)
                {
                    skipped += lines.Count - i;
                    break;
                }
            }
            chunk.Add(lines[i]);
            size += cost;
        }
        if (skipped > 0)
        {
            chunk.Add($"[{skipped} lines not streamed: too many at once; results/{stream} has them all when the job ends]");
        }
        if (chunk.Count > 0)
        {
            yield return JobEventPayload.Output(jobId, ownerId!, stream, chunk);
        }
    }

    /// <summary>An upper bound of a line's size in the JSON payload (control characters, quotes and backslashes are escaped).</summary>
    static int EstimatedBytes(string line) =>
        Encoding.UTF8.GetByteCount(line) + 5 * line.Count(c => c < ' ' || c == '"' || c == '\\') + 3;

    void Fail(Exception ex)
    {
        if (!failed)
        {
            failed = true;
            LiveOutputPump.LogFailed(logger, jobId, ex);
        }
    }

    /// <summary>The container has ended (or was killed): the follow drains what the engine still sends, and the periodic publication ends.</summary>
    public async Task StopAsync()
    {
        if (stopped)
        {
            return;
        }
        stopped = true;
        await startStop.CancelAsync();
        try
        {
            await following.WaitAsync(DrainTimeout, clock);
        }
        catch (TimeoutException)
        {
            await followStop.CancelAsync();
            await following;
        }
        await publishStop.CancelAsync();
        await publishing;
    }

    /// <summary>
    /// Publishes what the ended container printed last, before its outcome is written: what the follow did not deliver
    /// is taken from the stdout and stderr the outcome collector read (so the engine is not asked for the logs twice).
    /// The engine may end a follow when the container stops before its log copier has written the last, unterminated
    /// line (it writes a partial line only when the stream closes); the collector's read after the end has it. Only
    /// while at most <see cref="CatchUpLimit"/> of a stream was streamed, so that a large output is not pushed through
    /// the sinks twice (the stored stdout and stderr have everything). Safe to repeat (a retried settle): the sinks
    /// count what they have. Never throws.
    /// </summary>
    public async Task PublishLastAsync(JobOutcome outcome)
    {
        await StopAsync();
        foreach (var (name, index) in Streams)
        {
            var seen = sinks[index].TotalBytes;
            if (seen <= CatchUpLimit
                && outcome.Results.FirstOrDefault(r => r.Kind == JobFileKind.Result && r.Name == name)?.Content is { } log
                && log.Length > seen)
            {
                var end = (int)Math.Min(log.Length, seen + CatchUpLimit);
                await sinks[index].WriteAsync(log.AsMemory((int)seen, end - (int)seen));
            }
        }
        await PublishFinalAsync();
    }

    async Task PublishFinalAsync()
    {
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5), clock);
        try
        {
            await PublishAsync(final: true, bounded.Token);
        }
        catch (OperationCanceledException) when (bounded.IsCancellationRequested)
        {
            // The database did not answer in time: the live stream misses the last lines; the stored results have them.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        // Lines the follow delivered still reach the streams when no outcome could be collected (they are published
        // at most once: the sinks hand out each line once).
        await PublishFinalAsync();
        if (tailStored)
        {
            await RemoveTailAsync();
        }
        foreach (var sink in sinks)
        {
            await sink.DisposeAsync();
        }
        followStop.Dispose();
        startStop.Dispose();
        publishStop.Dispose();
    }

    async Task RemoveTailAsync()
    {
        try
        {
            // Only once the outcome is stored: until then (a settle that could not write, left to the reaper) the
            // tail still answers .../results/stdout.
            await JobOutputTails.DeleteStoredAsync(dataSource, jobId);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            LiveOutputPump.LogCleanupFailed(logger, jobId, ex);
        }
    }
}
