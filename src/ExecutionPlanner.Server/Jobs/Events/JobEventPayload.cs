using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExecutionPlanner.Server.Jobs.Events;

/// <summary>
/// The NOTIFY payloads of channel <see cref="Channel"/>: short JSON objects written by the jobs table's trigger
/// (phase, message, deleted; migration JobEvents) and by the node running a job (output lines, <see cref="Output"/>).
/// "k" is the kind (p, m, o, d; c for a queued callback), "id" the job, "o" its owner, then "p" phase, "t" time, "x" text, "s" stream, "l" lines.
/// </summary>
public static class JobEventPayload
{
    public const string Channel = "uws_job_event";

    /// <summary>PostgreSQL refuses payloads of 8000 bytes or more; output is sent in chunks below this.</summary>
    public const int MaxBytes = 7000;

    sealed record Wire(
        [property: JsonPropertyName("k")] string? Kind,
        [property: JsonPropertyName("id")] string? JobId,
        [property: JsonPropertyName("o")] string? Owner,
        [property: JsonPropertyName("p")] string? Phase,
        [property: JsonPropertyName("t")] string? Time,
        [property: JsonPropertyName("x")] string? Text,
        [property: JsonPropertyName("s")] string? Stream,
        [property: JsonPropertyName("l")] List<string>? Lines);

    /// <summary>The event a payload announces, or null for one this version does not read.</summary>
    public static JobEvent? Parse(string payload)
    {
        Wire? w;
        try
        {
            w = JsonSerializer.Deserialize<Wire>(payload);
        }
        catch (JsonException)
        {
            return null;
        }
        if (w?.JobId is not { } id || w.Owner is not { } owner)
        {
            return null;
        }
        return w.Kind switch
        {
            "p" when Enum.TryParse<ExecutionPhase>(w.Phase, out var phase) && TryTime(w.Time, out var t) =>
                JobEvent.PhaseChanged(id, owner, phase, t),
            "m" when TryTime(w.Time, out var t) => new JobEvent(JobEventKind.Message, id, owner) { Time = t, Text = w.Text ?? "" },
            "o" when w.Stream is "stdout" or "stderr" && w.Lines is { } lines =>
                new JobEvent(JobEventKind.Output, id, owner) { Stream = w.Stream, Lines = lines },
            "d" => new JobEvent(JobEventKind.Deleted, id, owner),
            "c" => new JobEvent(JobEventKind.CallbackQueued, id, owner),
            _ => null,
        };
    }

    /// <summary>The payload of output lines (the caller keeps it under <see cref="MaxBytes"/>).</summary>
    public static string Output(string jobId, string ownerId, string stream, IReadOnlyList<string> lines) =>
        JsonSerializer.Serialize(new Wire("o", jobId, ownerId, null, null, null, stream, [.. lines]), WireOptions);

    // Only our own listener reads the wire form: characters outside ASCII are written as themselves, not as \uXXXX
    // (a line of 1000 non-ASCII characters then fits a payload).
    static readonly JsonSerializerOptions WireOptions = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    static bool TryTime(string? text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
}
