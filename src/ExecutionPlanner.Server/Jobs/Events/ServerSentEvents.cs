using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ExecutionPlanner.Server.Jobs.Events;

/// <summary>
/// The text/event-stream form of job events (the contract in README "Live job events"): event phase, message,
/// stdout, stderr (and deleted), each with one JSON data line. Phase and message events carry an id, the event's
/// time in Unix milliseconds, which a reconnecting client sends back as Last-Event-ID.
/// JSON never contains a raw line break, so one data line always holds the whole object.
/// </summary>
public static class ServerSentEvents
{
    public const string ContentType = "text/event-stream";

    public const string KeepAlive = ": keep-alive\n\n";

    /// <summary>The Last-Event-ID a client sent, as the instant it names; null when absent or not ours.</summary>
    public static DateTimeOffset? LastEventTime(HttpRequest request) =>
        long.TryParse(request.Headers["Last-Event-ID"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
        && ms <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

    public static void Write(StringBuilder sb, JobEvent e)
    {
        switch (e.Kind)
        {
            case JobEventKind.Phase:
                Event(sb, "phase", Id(e.Time), JsonSerializer.Serialize(new { jobId = e.JobId, phase = e.Phase.ToString(), time = UwsTime.Format(e.Time) }));
                break;
            case JobEventKind.Message:
                Event(sb, "message", Id(e.Time), JsonSerializer.Serialize(new { jobId = e.JobId, time = UwsTime.Format(e.Time), text = e.Text }));
                break;
            case JobEventKind.Output:
                foreach (var line in e.Lines)
                {
                    Event(sb, e.Stream, null, JsonSerializer.Serialize(new { jobId = e.JobId, line }));
                }
                break;
            case JobEventKind.Deleted:
                Event(sb, "deleted", null, JsonSerializer.Serialize(new { jobId = e.JobId }));
                break;
        }
    }

    static string Id(DateTimeOffset time) => time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    static void Event(StringBuilder sb, string name, string? id, string json)
    {
        sb.Append("event: ").Append(name).Append('\n');
        if (id is not null)
        {
            sb.Append("id: ").Append(id).Append('\n');
        }
        sb.Append("data: ").Append(json).Append("\n\n");
    }
}
