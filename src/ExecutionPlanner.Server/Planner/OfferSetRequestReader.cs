using System.Text.Json;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// Reads a task description in either form: the ExecutionBroker form (executable, compute, storage,
/// data, schedule.requested, authentication) or the 2021 ExecutionPlanner note's form (tasktype,
/// taskinfo, resources{mincores,...}, schedule{start,duration}). Memory and storage are in GiB.
/// The body has already passed its JSON Schema; anything still wrong is a 400 naming the field.
/// </summary>
public static class OfferSetRequestReader
{
    const decimal GiB = 1024m * 1024 * 1024;

    public static bool IsNote2021(JsonElement root) => root.TryGetProperty("tasktype", out _);

    public static TaskRequest Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw UwsRequestException.BadRequest("The request body must be a JSON object describing the task.");
        }
        return IsNote2021(root) ? ReadNote2021(root) : ReadExecutionBroker(root);
    }

    static TaskRequest ReadExecutionBroker(JsonElement root)
    {
        var executable = Object(root, "executable", "/executable")
            ?? throw UwsRequestException.BadRequest("/executable is required: the task's executable, with its kind URI.");
        var compute = Object(root, "compute", "/compute");
        var storage = Object(root, "storage", "/storage");
        var schedule = Object(root, "schedule", "/schedule");
        var requested = schedule is { } s ? Object(s, "requested", "/schedule/requested") : null;
        return new TaskRequest
        {
            Kind = String(executable, "kind", "/executable/kind")
                ?? throw UwsRequestException.BadRequest("/executable/kind is required: the executable's type URI."),
            Name = String(root, "name", "/name") ?? (executable.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object
                ? String(meta, "name", "/executable/meta/name") : null),
            Image = Image(executable),
            Command = Command(executable, "command", "/executable/command"),
            Environment = Environment(executable, "environment", "/executable/environment"),
            Cores = compute is { } c ? Range(c, "cores", "/compute/cores", 1m) : null,
            MemoryBytes = compute is { } m ? Bytes(Range(m, "memory", "/compute/memory", GiB)) : null,
            StorageBytes = storage is { } st ? Bytes(Range(st, "size", "/storage/size", GiB)) : null,
            Data = Data(root, "data", "/data"),
            Start = requested is { } r ? Window(r, "start", "/schedule/requested/start") : null,
            Duration = requested is { } rd ? Duration(rd, "duration", "/schedule/requested/duration") : null,
            Authentication = Credentials(root),
            Paths = RequestPaths.ExecutionBroker,
        };
    }

    static TaskRequest ReadNote2021(JsonElement root)
    {
        var info = Object(root, "taskinfo", "/taskinfo");
        var resources = Object(root, "resources", "/resources");
        var schedule = Object(root, "schedule", "/schedule");
        return new TaskRequest
        {
            Kind = String(root, "tasktype", "/tasktype")
                ?? throw UwsRequestException.BadRequest("/tasktype must be a string: the task's type URI."),
            Name = String(root, "name", "/name"),
            Image = info is { } i ? String(i, "image", "/taskinfo/image") : null,
            Command = info is { } ic ? Command(ic, "command", "/taskinfo/command") : [],
            Environment = info is { } ie ? Environment(ie, "environment", "/taskinfo/environment") : new Dictionary<string, string>(),
            Cores = resources is { } c ? Pair(c, "mincores", "maxcores", "/resources", 1m) : null,
            MemoryBytes = resources is { } m ? Bytes(Pair(m, "minmemory", "maxmemory", "/resources", GiB)) : null,
            StorageBytes = resources is { } s ? Bytes(Pair(s, "minstorage", "maxstorage", "/resources", GiB)) : null,
            Data = resources is { } d ? Data(d, "data", "/resources/data") : [],
            Start = schedule is { } ss ? Window(ss, "start", "/schedule/start") : null,
            Duration = schedule is { } sd ? Duration(sd, "duration", "/schedule/duration") : null,
            Authentication = Credentials(root),
            Paths = RequestPaths.Note2021,
        };
    }

    static JsonElement? Object(JsonElement parent, string name, string path) =>
        !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Object ? value
        : throw UwsRequestException.BadRequest($"{path} must be a JSON object.");

    static string? String(JsonElement parent, string name, string path) =>
        !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw UwsRequestException.BadRequest($"{path} must be a string.");

    /// <summary>"image": "name:tag", or Calycopis' {"locations": ["name:tag", ...], "digest": "sha256:..."}.</summary>
    static string? Image(JsonElement executable)
    {
        if (!executable.TryGetProperty("image", out var image) || image.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (image.ValueKind == JsonValueKind.String)
        {
            return image.GetString();
        }
        if (image.ValueKind == JsonValueKind.Object && image.TryGetProperty("locations", out var locations)
            && locations.ValueKind == JsonValueKind.Array && locations.GetArrayLength() > 0
            && locations[0].ValueKind == JsonValueKind.String)
        {
            return locations[0].GetString();
        }
        throw UwsRequestException.BadRequest("/executable/image must be an image reference string or {\"locations\": [\"<reference>\"]}.");
    }

    /// <summary>A list of arguments, or one string (split on spaces, as Calycopis' examples write it).</summary>
    static List<string> Command(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
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
        return value.EnumerateArray().Select((a, i) => a.ValueKind == JsonValueKind.String
            ? a.GetString()!
            : throw UwsRequestException.BadRequest($"{path}/{i} must be a string.")).ToList();
    }

    static Dictionary<string, string> Environment(JsonElement parent, string name, string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Object(parent, name, path) is not { } env)
        {
            return result;
        }
        foreach (var p in env.EnumerateObject())
        {
            result[p.Name] = p.Value.ValueKind == JsonValueKind.String
                ? p.Value.GetString()!
                : throw UwsRequestException.BadRequest($"{path}/{p.Name} must be a string.");
        }
        return result;
    }

    static Range<decimal>? Range(JsonElement parent, string name, string path, decimal unit) =>
        Object(parent, name, path) is { } range
            ? Check(new Range<decimal>(Number(range, "min", $"{path}/min", unit), Number(range, "max", $"{path}/max", unit)), path)
            : null;

    static Range<decimal>? Pair(JsonElement parent, string min, string max, string path, decimal unit)
    {
        var range = new Range<decimal>(Number(parent, min, $"{path}/{min}", unit), Number(parent, max, $"{path}/{max}", unit));
        return range.Min is null && range.Max is null ? null : Check(range, $"{path}/{min}");
    }

    static Range<decimal> Check(Range<decimal> range, string path) =>
        range is { Min: { } lo, Max: { } hi } && hi < lo
            ? throw UwsRequestException.BadRequest($"{path}: max must not be below min.")
            : range;

    static decimal? Number(JsonElement parent, string name, string path, decimal unit)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var number) || number <= 0)
        {
            throw UwsRequestException.BadRequest($"{path} must be a positive number.");
        }
        try
        {
            return number * unit;
        }
        catch (OverflowException)
        {
            throw UwsRequestException.BadRequest($"{path} is too large.");
        }
    }

    static Range<long>? Bytes(Range<decimal>? range) =>
        range is { } r ? new Range<long>(ToBytes(r.Min), ToBytes(r.Max)) : null;

    static long? ToBytes(decimal? value) =>
        value is { } v ? (long)Math.Min(decimal.Ceiling(v), long.MaxValue) : null;

    static List<string> Data(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw UwsRequestException.BadRequest($"{path} must be an array of URLs.");
        }
        return value.EnumerateArray().Select((d, i) =>
        {
            var url = d.ValueKind == JsonValueKind.String ? d.GetString()
                : d.ValueKind == JsonValueKind.Object ? String(d, "location", $"{path}/{i}/location")
                : null;
            return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "ftp" or "ivo" or "s3"
                ? uri.ToString()
                : throw UwsRequestException.BadRequest($"{path}/{i} must be an absolute URL (or {{\"location\": \"<URL>\"}}).");
        }).ToList();
    }

    static StartWindow? Window(JsonElement parent, string name, string path) =>
        String(parent, name, path) is { } text
            ? IsoDuration.TryParseInterval(text, out var window)
                ? window
                : throw UwsRequestException.BadRequest(
                    $"{path} '{text}' is not an ISO 8601 interval such as 2030-01-01T10:00:00Z/2030-01-01T12:00:00Z or 2030-01-01T10:00:00Z/PT2H.")
            : null;

    static TimeSpan? Duration(JsonElement parent, string name, string path) =>
        String(parent, name, path) is { } text
            ? IsoDuration.TryParse(text, out var duration) && duration > TimeSpan.Zero
                ? duration
                : throw UwsRequestException.BadRequest($"{path} '{text}' is not a positive ISO 8601 duration such as PT30M.")
            : null;

    static List<ExplicitCredential> Credentials(JsonElement root)
    {
        if (!root.TryGetProperty("authentication", out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw UwsRequestException.BadRequest("/authentication must be an array of {type, mode, spec}.");
        }
        return list.EnumerateArray().Select((a, i) =>
        {
            if (a.ValueKind != JsonValueKind.Object)
            {
                throw UwsRequestException.BadRequest($"/authentication/{i} must be an object {{type, mode, spec}}.");
            }
            var type = String(a, "type", $"/authentication/{i}/type")
                ?? throw UwsRequestException.BadRequest($"/authentication/{i}/type is required: the credential's type URI.");
            var spec = Object(a, "spec", $"/authentication/{i}/spec");
            var token = spec is { } sp ? String(sp, "token", $"/authentication/{i}/spec/token") : null;
            return new ExplicitCredential(type, String(a, "mode", $"/authentication/{i}/mode"), token);
        }).ToList();
    }
}
