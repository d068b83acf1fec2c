using System.Globalization;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// UWS instants: ISO 8601, UTC, 'Z', milliseconds. Times are stored at the precision they are
/// written, so that AFTER's strict "later than" agrees with what clients read (checklist E.29.3).
/// </summary>
public static class UwsTime
{
    const string WriteFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    static readonly string[] ReadFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd",
    ];

    public static DateTimeOffset Truncate(DateTimeOffset t) =>
        new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    public static string Format(DateTimeOffset t) => t.UtcDateTime.ToString(WriteFormat, CultureInfo.InvariantCulture);

    /// <summary>Reads an ISO 8601 instant; without a zone designator it is taken as UTC (UWS §2.2.1).</summary>
    public static bool TryParse(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        if (!DateTimeOffset.TryParseExact(text.Trim(), ReadFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return false;
        }
        instant = parsed.ToUniversalTime();
        return true;
    }
}
