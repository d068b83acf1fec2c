using System.Diagnostics;

namespace ExecutionPlanner.Bench;

/// <summary>
/// Counts the database commands this process sends, from Npgsql's own tracing (one activity per command or batch
/// round trip), split into Hangfire's (their text names its quoted schema, or its job channel) and ours. In-process only: it sees the bench
/// server's commands, which is the point.
/// </summary>
public sealed class StatementCounter : IDisposable
{
    /// <summary>Hangfire.PostgreSql's LISTEN/NOTIFY channel for new jobs (its long polling).</summary>
    const string HangfireChannel = " new_job";

    readonly ActivityListener listener;
    long ours;
    long hangfire;
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> texts = new(StringComparer.Ordinal);

    /// <param name="hangfireSchema">The schema whose name marks Hangfire's commands.</param>
    /// <param name="keepTexts">Also keep each command's text and count (<see cref="Texts"/>): a regex and a dictionary
    /// update per command, so only when asked.</param>
    public StatementCounter(string hangfireSchema = "hangfire", bool keepTexts = false)
    {
        // Hangfire.PostgreSql names every table with its quoted schema; our own SQL only mentions "hangfire_job_id".
        var hangfireQualifier = $"\"{hangfireSchema}\".";
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                var text = activity.GetTagItem("db.query.text") as string ?? activity.DisplayName;
                if (keepTexts)
                {
                    var folded = System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");
                    texts.AddOrUpdate(folded[..Math.Min(folded.Length, 140)], 1, (_, n) => n + 1);
                }
                if (text.Contains(hangfireQualifier, StringComparison.Ordinal) || text.EndsWith(HangfireChannel, StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref hangfire);
                }
                else
                {
                    Interlocked.Increment(ref ours);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
    }

    /// <summary>A counter that keeps the command texts when EP_BENCH_SQL=1 (<see cref="PrintTexts"/>).</summary>
    public static StatementCounter FromEnvironment() =>
        new(keepTexts: Environment.GetEnvironmentVariable("EP_BENCH_SQL") is "1");

    /// <summary>Writes each kept command text with its count to stderr, each line starting with <paramref name="label"/>; nothing when texts are not kept.</summary>
    public void PrintTexts(string label)
    {
        foreach (var (text, count) in Texts())
        {
            Console.Error.WriteLine($"{label} {count,5} {text}");
        }
    }

    /// <summary>The counts so far: (ours, Hangfire's).</summary>
    public (long Ours, long Hangfire) Snapshot() => (Interlocked.Read(ref ours), Interlocked.Read(ref hangfire));

    /// <summary>Each command's text (whitespace folded, first 140 characters) with how often it was sent.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Texts() => [.. texts.OrderByDescending(t => t.Value)];

    public void Dispose() => listener.Dispose();
}
