using System.Diagnostics.Metrics;
using ExecutionPlanner.Server.Jobs.Store;
using Npgsql;

namespace ExecutionPlanner.Server.Observability;

/// <summary>
/// Jobs and offers by phase for the gauges. A scrape only reads the cached counts and, when they are older than
/// <see cref="MaxAge"/>, starts one refresh in the background: at most one query per MaxAge goes to PostgreSQL
/// however many scrapers there are, and a scrape never waits on the database (while it is away the last counts
/// stay; stale beats a hung scrape).
/// </summary>
public sealed partial class PhaseCounts(NpgsqlDataSource database, TimeProvider clock, ILogger<PhaseCounts> logger)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    const int QueryTimeoutSeconds = 2;

    long readAtTicks = DateTimeOffset.MinValue.UtcTicks;
    int refreshing;
    Snapshot counts = new([], []);

    /// <summary>Both counts of one read, swapped in together.</summary>
    sealed record Snapshot(Measurement<long>[] Jobs, Measurement<long>[] Offers);

    public IEnumerable<Measurement<long>> Jobs()
    {
        RefreshIfStale();
        return Volatile.Read(ref counts).Jobs;
    }

    public IEnumerable<Measurement<long>> Offers()
    {
        RefreshIfStale();
        return Volatile.Read(ref counts).Offers;
    }

    void RefreshIfStale()
    {
        if (clock.GetUtcNow().UtcTicks - Interlocked.Read(ref readAtTicks) >= MaxAge.Ticks && Interlocked.Exchange(ref refreshing, 1) == 0)
        {
            _ = RefreshAsync();
        }
    }

    /// <summary>Reads both counts; the moment of the attempt counts as the read, so a failing database is asked once per MaxAge too.</summary>
    public async Task RefreshAsync()
    {
        try
        {
            Interlocked.Exchange(ref readAtTicks, clock.GetUtcNow().UtcTicks);
            await using var connection = await database.OpenConnectionAsync();
            var jobs = await ReadAsync(JobCounts.ByPhase(connection));
            var offers = await ReadAsync(new NpgsqlCommand("SELECT phase, count(*) FROM offers GROUP BY phase", connection));
            Volatile.Write(ref counts, new Snapshot(jobs, offers));
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or ObjectDisposedException)
        {
            LogReadFailed(logger, ex);
        }
        finally
        {
            Volatile.Write(ref refreshing, 0);
        }
    }

    static async Task<Measurement<long>[]> ReadAsync(NpgsqlCommand query)
    {
        await using var command = query;
        command.CommandTimeout = QueryTimeoutSeconds;
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new List<Measurement<long>>();
        while (await reader.ReadAsync())
        {
            counts.Add(new Measurement<long>(reader.GetInt64(1), new KeyValuePair<string, object?>("phase", reader.GetString(0))));
        }
        return [.. counts];
    }

    [LoggerMessage(EventId = 1951, Level = LogLevel.Warning, Message = "Reading the job and offer counts for /metrics failed; the last counts are kept")]
    static partial void LogReadFailed(ILogger logger, Exception ex);
}
