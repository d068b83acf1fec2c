using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;

namespace ExecutionPlanner.Cli.Tasks;

/// <summary>Reading the ways people and services write durations, memory and ranges.</summary>
internal static partial class Quantities
{
    const decimal KiB = 1024m;

    /// <summary>ISO 8601 (PT10M, P1D) or short forms: 90, 90s, 10m, 2h, 1d.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var t = text.Trim();
        if (t.StartsWith('P') || t.StartsWith('p'))
        {
            try
            {
                return XmlConvert.ToTimeSpan(t.ToUpperInvariant());
            }
            catch (FormatException)
            {
                throw new FormatException($"'{text}' is not an ISO 8601 duration (e.g. PT10M).");
            }
        }
        var m = ShortDuration().Match(t);
        if (!m.Success)
        {
            throw new FormatException($"'{text}' is not a duration: use ISO 8601 (PT10M) or 90s, 10m, 2h, 1d.");
        }
        var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value.ToLowerInvariant() switch
        {
            "" or "s" => TimeSpan.FromSeconds(n),
            "m" or "min" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            _ => TimeSpan.FromDays(n),
        };
    }

    public static string FormatDuration(TimeSpan d) => XmlConvert.ToString(d);

    /// <summary>Human form for tables: 10m, 1h30m, 45s.</summary>
    public static string Short(TimeSpan d)
    {
        if (d.TotalSeconds < 60)
        {
            return $"{(int)d.TotalSeconds}s";
        }
        if (d.TotalMinutes < 60)
        {
            return d.Seconds == 0 ? $"{(int)d.TotalMinutes}m" : $"{(int)d.TotalMinutes}m{d.Seconds}s";
        }
        return d.Minutes == 0 ? $"{(int)d.TotalHours}h" : $"{(int)d.TotalHours}h{d.Minutes}m";
    }

    /// <summary>Memory in GiB: a bare number is GiB (the planner's unit); 512Mi, 2Gi, 1.5G, 800M, 1T are converted.</summary>
    public static decimal ParseMemoryGiB(string text)
    {
        var m = MemoryText().Match(text.Trim());
        if (!m.Success)
        {
            throw new FormatException($"'{text}' is not an amount of memory: use GiB as a number, or 512Mi, 2Gi, 1.5G.");
        }
        var n = decimal.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value.ToLowerInvariant() switch
        {
            "" or "g" or "gi" or "gib" or "gb" => n,
            "m" or "mi" or "mib" or "mb" => n / KiB,
            "k" or "ki" or "kib" or "kb" => n / KiB / KiB,
            "t" or "ti" or "tib" or "tb" => n * KiB,
            _ => throw new FormatException($"'{text}': unknown memory unit."),
        };
    }

    /// <summary>The simple-docker-uws memory parameter for an amount in GiB (whole MiB).</summary>
    public static string MemoryParameter(decimal gib) => $"{Math.Ceiling(gib * KiB).ToString(CultureInfo.InvariantCulture)}Mi";

    /// <summary>"2" (exactly) or "1-4" / "1..4" (a range).</summary>
    public static (T Min, T Max) ParseRange<T>(string text, Func<string, T> parse)
    {
        var parts = text.Split(["..", "-"], 2, StringSplitOptions.TrimEntries);
        return parts.Length == 2 && parts[0].Length > 0 ? (parse(parts[0]), parse(parts[1])) : (parse(text), parse(text));
    }

    public static decimal ParseDecimal(string text) =>
        decimal.TryParse(text.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) && d > 0
            ? d
            : throw new FormatException($"'{text}' is not a positive number.");

    public static string Format(decimal value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(s|m|min|h|d|)$", RegexOptions.IgnoreCase)]
    private static partial Regex ShortDuration();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$")]
    private static partial Regex MemoryText();
}
