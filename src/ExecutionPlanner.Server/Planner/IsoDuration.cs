using System.Xml;

namespace ExecutionPlanner.Server.Planner;

/// <summary>ISO 8601 durations (PT1H30M, P1D) and intervals (start/end, start/duration).</summary>
public static class IsoDuration
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text) || !text.TrimStart().StartsWith('P'))
        {
            return false;
        }
        try
        {
            duration = XmlConvert.ToTimeSpan(text.Trim());
            return duration >= TimeSpan.Zero;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>Whole seconds, e.g. PT1H30M; years and months are never written.</summary>
    public static string Format(TimeSpan duration) => XmlConvert.ToString(TimeSpan.FromSeconds(Math.Floor(duration.TotalSeconds)));

    /// <summary>"start/end", "start/duration" or a single instant (a window of one moment).</summary>
    public static bool TryParseInterval(string? text, out StartWindow window)
    {
        window = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var parts = text.Trim().Split('/');
        if (parts.Length > 2 || !Jobs.UwsTime.TryParse(parts[0], out var start))
        {
            return false;
        }
        if (parts.Length == 1)
        {
            window = new StartWindow(start, start);
            return true;
        }
        if (TryParse(parts[1], out var length))
        {
            // Past the year 9999 there is no instant to name: not an interval this service can read.
            if (length > DateTimeOffset.MaxValue - start)
            {
                return false;
            }
            window = new StartWindow(start, start + length);
            return true;
        }
        if (Jobs.UwsTime.TryParse(parts[1], out var end) && end >= start)
        {
            window = new StartWindow(start, end);
            return true;
        }
        return false;
    }

    public static string FormatInterval(DateTimeOffset start, DateTimeOffset end) =>
        $"{Jobs.UwsTime.Format(start)}/{Jobs.UwsTime.Format(end)}";
}
