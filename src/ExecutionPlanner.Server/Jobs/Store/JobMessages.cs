using ExecutionPlanner.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ExecutionPlanner.Server.Jobs.Store;

/// <summary>
/// Makes and appends a job's messages (<see cref="JobMessage"/>). Each is cleaned for display and bounded, and a
/// job keeps at most <see cref="MaxPerJob"/>: a job whose run would say more gets a summary message instead.
/// </summary>
public static class JobMessages
{
    public const int MaxPerJob = 50;
    public const int MaxLength = 1000;

    public static JobMessage Create(DateTimeOffset time, string text) => new(UwsTime.Truncate(time), DisplayText.Clean(text, MaxLength));

    /// <summary>
    /// Appends within the caller's transaction, if any (one UPDATE). Messages past <see cref="MaxPerJob"/> are dropped
    /// (the caller says so in its last message when it has more to say than that).
    /// </summary>
    public static async Task AppendAsync(UwsDbContext db, string jobId, IReadOnlyCollection<JobMessage> messages, CancellationToken ct)
    {
        if (messages.Count == 0)
        {
            return;
        }
        var json = UwsDbContext.SerializeMessages(messages.Take(MaxPerJob));
        await db.Database.ExecuteSqlAsync($"""
            UPDATE jobs SET messages = coalesce(messages, '[]'::jsonb) || {json}::jsonb
             WHERE id = {jobId} AND jsonb_array_length(coalesce(messages, '[]'::jsonb)) < {MaxPerJob}
            """, ct);
    }
}
