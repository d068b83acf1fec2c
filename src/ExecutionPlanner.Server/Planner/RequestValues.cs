using ExecutionPlanner.Server.Http;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// Reading one value of a request, liberally: numbers written as numbers or as numeric strings, memory
/// and storage as GiB numbers or sizes with units ("32G", "512Mi", "1.5GiB"), durations as ISO 8601
/// ("PT4H") or short forms ("60s", "5m", "4h", "1d"). A value of the wrong shape is a 400 naming its
/// JSON Pointer.
/// </summary>
public static partial class RequestValues
{
    public const decimal GiB = 1024m * 1024 * 1024;

    /// <summary>The longest duration anyone may ask for: beyond it the arithmetic of instants would leave the calendar.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(3650);

    public static JsonElement? Member(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static JsonElement? ObjectOf(JsonElement parent, string name, string path) =>
        Member(parent, name) is not { } value ? null
        : value.ValueKind == JsonValueKind.Object ? value
        : throw UwsRequestException.BadRequest($"{path} must be a JSON object.");

    public static string? StringOf(JsonElement parent, string name, string path) =>
        Member(parent, name) is not { } value ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw UwsRequestException.BadRequest($"{path} must be a string.");

    /// <summary>A boolean, also written "true"/"false".</summary>
    public static bool? Boolean(JsonElement parent, string name, string path) =>
        Member(parent, name) is not { } value ? null
        : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
        : value.ValueKind == JsonValueKind.String && bool.TryParse(value.GetString(), out var b) ? b
        : throw UwsRequestException.BadRequest($"{path} must be true or false.");

    /// <summary>One object or a list of them (storage, compute: the drafts wrote both).</summary>
    public static List<(JsonElement Item, string Path)> ObjectOrList(JsonElement parent, string name, string path)
    {
        if (Member(parent, name) is not { } value)
        {
            return [];
        }
        if (value.ValueKind == JsonValueKind.Object)
        {
            return [(value, path)];
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw UwsRequestException.BadRequest($"{path} must be an object or a list of objects.");
        }
        return value.EnumerateArray().Select((item, i) => item.ValueKind == JsonValueKind.Object
            ? (item, $"{path}/{i}")
            : throw UwsRequestException.BadRequest($"{path}/{i} must be an object.")).ToList();
    }

    /// <summary>A positive number, or a numeric string, times <paramref name="unit"/>.</summary>
    public static decimal? Number(JsonElement parent, string name, string path, decimal unit)
    {
        if (Member(parent, name) is not { } value)
        {
            return null;
        }
        decimal number;
        var ok = value.ValueKind == JsonValueKind.Number ? value.TryGetDecimal(out number)
            : decimal.TryParse(value.ValueKind == JsonValueKind.String ? value.GetString() : null,
                NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out number);
        if (!ok || number <= 0)
        {
            throw UwsRequestException.BadRequest($"{path} must be a positive number.");
        }
        return Scale(number, unit, path);
    }

    /// <summary>A size in bytes: a number of GiB, or a string with a unit (k, M, G, T decimal; Ki, Mi, Gi, Ti binary; "B"/"iB" may follow).</summary>
    public static decimal? Size(JsonElement parent, string name, string path)
    {
        if (Member(parent, name) is not { } value)
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.String && SizeText().Match(value.GetString()!) is { Success: true } m)
        {
            var number = decimal.Parse(m.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            var prefix = m.Groups[2].Value.ToUpperInvariant();
            var binary = m.Groups[3].Success && m.Groups[3].Value.Length > 0;
            if (number <= 0)
            {
                throw UwsRequestException.BadRequest($"{path} must be a positive size.");
            }
            if (prefix.Length == 0 && !binary && m.Groups[4].Value.Length == 0)
            {
                return Scale(number, GiB, path); // a bare number in a string: GiB, as the numbers are
            }
            var power = "BKMGTPE".IndexOf(prefix.Length == 0 ? 'B' : prefix[0], StringComparison.Ordinal);
            var factor = 1m;
            for (var i = 0; i < power; i++)
            {
                factor *= binary ? 1024m : 1000m;
            }
            return Scale(number, factor, path);
        }
        if (value.ValueKind == JsonValueKind.String)
        {
            throw UwsRequestException.BadRequest($"{path} '{value.GetString()}' is not a size such as 2, \"32G\", \"512Mi\" or \"1.5GiB\" (a bare number is GiB).");
        }
        return Number(parent, name, path, GiB);
    }

    static decimal Scale(decimal number, decimal unit, string path)
    {
        try
        {
            var scaled = number * unit;
            return scaled > long.MaxValue ? throw UwsRequestException.BadRequest($"{path} is too large.") : scaled;
        }
        catch (OverflowException)
        {
            throw UwsRequestException.BadRequest($"{path} is too large.");
        }
    }

    /// <summary>A positive duration: ISO 8601 (PT30M, P1D), a number of seconds, or a number with s, m, h or d.</summary>
    public static TimeSpan? Duration(JsonElement parent, string name, string path)
    {
        if (Member(parent, name) is not { } value)
        {
            return null;
        }
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim()
            : value.ValueKind == JsonValueKind.Number ? value.GetRawText() + "s"
            : throw UwsRequestException.BadRequest($"{path} must be a duration such as \"PT30M\" or \"30m\".");
        TimeSpan duration;
        if (IsoDuration.TryParse(text, out var iso))
        {
            duration = iso;
        }
        else if (ShortDuration().Match(text) is { Success: true } m
                 && decimal.TryParse(m.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)
                 && UnitSeconds(m.Groups[2].Value) is { } unit)
        {
            var seconds = n * unit;
            duration = seconds > (decimal)MaxDuration.TotalSeconds ? TimeSpan.MaxValue : TimeSpan.FromSeconds((double)seconds);
        }
        else
        {
            throw UwsRequestException.BadRequest($"{path} '{text}' is not a duration such as \"PT30M\", \"60s\", \"5m\" or \"4h\".");
        }
        if (duration <= TimeSpan.Zero)
        {
            throw UwsRequestException.BadRequest($"{path} must be a positive duration.");
        }
        if (duration > MaxDuration)
        {
            throw UwsRequestException.BadRequest($"{path} '{text}' is longer than this service can count ({IsoDuration.Format(MaxDuration)}).");
        }
        return duration;
    }

    /// <summary>A start window: an ISO 8601 interval (start/end, start/duration) or one instant.</summary>
    public static StartWindow? Window(JsonElement parent, string name, string path) =>
        StringOf(parent, name, path) is { } text
            ? IsoDuration.TryParseInterval(text, out var window)
                ? window
                : throw UwsRequestException.BadRequest(
                    $"{path} '{text}' is not an ISO 8601 interval between the years 1 and 9999, such as 2030-01-01T10:00:00Z/2030-01-01T12:00:00Z or 2030-01-01T10:00:00Z/PT2H.")
            : null;

    /// <summary>A list of strings, or one string split on spaces (as Calycopis' examples write commands).</summary>
    public static List<string> Strings(JsonElement parent, string name, string path)
    {
        if (Member(parent, name) is not { } value)
        {
            return [];
        }
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw UwsRequestException.BadRequest($"{path} must be an array of strings.");
        }
        return value.EnumerateArray().Select((a, i) => a.ValueKind is JsonValueKind.String ? a.GetString()!
            : a.ValueKind is JsonValueKind.Number ? a.GetRawText()
            : throw UwsRequestException.BadRequest($"{path}/{i} must be a string.")).ToList();
    }

    /// <summary>A name => value map, or the 2021 note's list of {name, value}.</summary>
    public static Dictionary<string, string> Environment(JsonElement parent, string name, string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Member(parent, name) is not { } env)
        {
            return result;
        }
        if (env.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in env.EnumerateObject())
            {
                result[p.Name] = Scalar(p.Value) ?? throw UwsRequestException.BadRequest($"{path}/{p.Name} must be a string.");
            }
            return result;
        }
        if (env.ValueKind != JsonValueKind.Array)
        {
            throw UwsRequestException.BadRequest($"{path} must be an object of name: value.");
        }
        var i = 0;
        foreach (var item in env.EnumerateArray())
        {
            var key = item.ValueKind == JsonValueKind.Object ? StringOf(item, "name", $"{path}/{i}/name") : null;
            var val = item.ValueKind == JsonValueKind.Object && Member(item, "value") is { } v ? Scalar(v) : null;
            result[key ?? throw UwsRequestException.BadRequest($"{path}/{i} must be {{\"name\": ..., \"value\": ...}}.")] =
                val ?? throw UwsRequestException.BadRequest($"{path}/{i}/value must be a string.");
            i++;
        }
        return result;
    }

    static decimal? UnitSeconds(string unit) => unit.ToLowerInvariant() switch
    {
        "" or "s" or "sec" or "secs" or "second" or "seconds" => 1m,
        "m" or "min" or "mins" or "minute" or "minutes" => 60m,
        "h" or "hr" or "hrs" or "hour" or "hours" => 3600m,
        "d" or "day" or "days" => 86400m,
        _ => null,
    };

    static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };

    /// <summary>The kind of a component: "kind" (Calycopis, the 2024 drafts) or "type" (the 2023 drafts).</summary>
    public static (string? Kind, string Path) Kind(JsonElement component, string path) =>
        Member(component, "kind") is { ValueKind: JsonValueKind.String } kind ? (kind.GetString(), $"{path}/kind")
        : Member(component, "type") is { ValueKind: JsonValueKind.String } type ? (type.GetString(), $"{path}/type")
        : Member(component, "kind") is not null || Member(component, "type") is not null
            ? throw UwsRequestException.BadRequest($"{path}/kind must be a string: the component's kind URI.")
            : (null, $"{path}/kind");

    /// <summary>A component's name: "name", or Calycopis' "meta": {"name": ...}.</summary>
    public static string? ComponentName(JsonElement component, string path) =>
        StringOf(component, "name", $"{path}/name")
        ?? (ObjectOf(component, "meta", $"{path}/meta") is { } meta ? StringOf(meta, "name", $"{path}/meta/name") : null);

    [GeneratedRegex(@"^\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmMgGtTpPeE]?)(i?)([bB]?)\s*$")]
    private static partial Regex SizeText();

    [GeneratedRegex(@"^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*$")]
    private static partial Regex ShortDuration();
}
