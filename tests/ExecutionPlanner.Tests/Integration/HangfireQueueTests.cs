using ExecutionPlanner.Server.Execution;
using ExecutionPlanner.Tests.Support;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// Hangfire's queue as the server configures it (<see cref="HangfireExecution.CreateStorage"/> with the default
/// <see cref="HangfireOptions"/>), on a real PostgreSQL: workers that fetch back to back, as busy slots do, fetch
/// every queued Hangfire job and none hangs holding one. With long polling on, a lost cancellation in Npgsql
/// (npgsql/npgsql#5975) hung one to three of four such workers in every run of 20,000 fetches; a hung worker
/// is lost until the next NOTIFY. (Here no Hangfire server renews fetches, so a hung worker's job is fetched again
/// after the invisibility timeout; in the server the sliding invisibility keeps it, and the UWS job stays QUEUED.)
/// </summary>
[Category("PostgreSQL")]
// Alone: four threads fetching as fast as the database answers.
[NonParallelizable]
public sealed class HangfireQueueTests
{
    const int QueuedJobs = 10_000;
    const int Workers = 4;

    [Test]
    public async Task Workers_fetching_back_to_back_fetch_every_queued_job_and_none_hangs()
    {
        var database = await TestDatabase.CreatePrivateAsync();
        var options = new HangfireOptions();
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            PostgreSqlObjectsInstaller.Install(connection, options.SchemaName);
            // Queue rows alone are enough: a fetch takes the row and never reads the job it names.
            await using var fill = new NpgsqlCommand(
                $"INSERT INTO {options.SchemaName}.jobqueue (jobid, queue) SELECT g, $1 FROM generate_series(1, {QueuedJobs}) g", connection);
            fill.Parameters.AddWithValue(UwsJobRun.Queue);
            await fill.ExecuteNonQueryAsync();
        }
        // Hangfire logs through a process-wide provider, which the last in-process test server set to its own
        // LoggerFactory, disposed with it; a fetch logs, so without a live provider every fetch would throw.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(new Hangfire.AspNetCore.AspNetCoreLogProvider(NullLoggerFactory.Instance));
        var storage = HangfireExecution.CreateStorage(database, options);

        var fetched = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        using var stop = new CancellationTokenSource();
        // Background threads, as Hangfire's workers are: a hung one must not keep the test run alive.
        var workers = Enumerable.Range(0, Workers).Select(_ => new Thread(() =>
        {
            try
            {
                while (true)
                {
                    using var connection = storage.GetConnection();
                    using var job = connection.FetchNextJob([UwsJobRun.Queue], stop.Token);
                    job.RemoveFromQueue();
                    Interlocked.Increment(ref fetched);
                }
            }
            catch (OperationCanceledException)
            {
                // The queue is empty and the test is done.
            }
            catch (Exception ex)
            {
                // Reported below; unhandled, it would end the test process (a hung worker fails once its database is dropped).
                failures.Enqueue(ex);
            }
        }) { IsBackground = true }).ToList();
        workers.ForEach(w => w.Start());

        // A liveness bound, not a speed target: 10,000 fetches take seconds; with a hung worker the last never comes.
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (Volatile.Read(ref fetched) < QueuedJobs && failures.IsEmpty && deadline.Elapsed < TimeSpan.FromMinutes(3))
        {
            await Task.Delay(100);
        }
        await stop.CancelAsync();
        var ended = workers.All(w => w.Join(TimeSpan.FromSeconds(10)));

        await using var check = new NpgsqlConnection(database);
        await check.OpenAsync();
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {options.SchemaName}.jobqueue", check);
        var left = await count.ExecuteScalarAsync();
        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Empty);
            Assert.That(fetched, Is.EqualTo(QueuedJobs), "Hangfire jobs fetched");
            Assert.That(left, Is.EqualTo(0L), "queue rows left behind");
            Assert.That(ended, Is.True, "a worker did not return from FetchNextJob when cancelled");
        });
        await TestDatabase.DropAsync(database);
    }
}
