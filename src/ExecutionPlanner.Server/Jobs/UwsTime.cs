using System.Globalization;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// UWS instants: ISO 8601, UTC, 'Z', milliseconds. Times are stored at the precision they are
/// written, so that AFTER's strict "later than" agrees with what clients read (checklist E.29.3).
/// </summary>
public static class UwsTime
{
    const string WriteFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static DateTimeOffset Truncate(DateTimeOffset t) =>
        new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    public static string Format(DateTimeOffset t) => t.UtcDateTime.ToString(WriteFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads an instant in any ISO 8601 form (<see cref="IsoInstant"/>); without a zone designator it
    /// is UTC (UWS §2.2.1).
    /// </summary>
    public static bool TryParse(string? text, out DateTimeOffset instant) => IsoInstant.TryParse(text, out instant);
}
