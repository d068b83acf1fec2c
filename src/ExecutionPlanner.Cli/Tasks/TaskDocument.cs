using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ExecutionPlanner.Cli.Tasks;

/// <summary>
/// Reads a task file, JSON or YAML, in any of three forms: the plain one
/// (<c>image, cmd, env, cores, memory, duration</c>), an ExecutionBroker request (<c>executable, compute,
/// schedule</c>) or a 2021 Note request (<c>tasktype, taskinfo, resources</c>).
/// </summary>
internal static class TaskDocument
{
    public static TaskSpec Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read the task file {path}: {ex.Message}", ExitCodes.Usage);
        }
        try
        {
            var node = text.TrimStart().StartsWith('{') ? JsonNode.Parse(text) : FromYaml(text);
            if (node is not JsonObject task)
            {
                throw new CliException($"The task file {path} must hold one object (a mapping).", ExitCodes.Usage);
            }
            return FromJson(task);
        }
        catch (Exception ex) when (ex is JsonException or YamlException or FormatException or InvalidOperationException)
        {
            throw new CliException($"The task file {path} cannot be read: {ex.Message}", ExitCodes.Usage);
        }
    }

    public static TaskSpec FromJson(JsonObject task)
    {
        if (task["executable"] is JsonObject exe)
        {
            var compute = task["compute"];
            var schedule = task["schedule"]?["requested"];
            return new TaskSpec
            {
                Name = Text(task["name"]),
                Image = exe["image"] is JsonObject locs ? Text(locs["locations"]?[0]) : Text(exe["image"]),
                Command = Strings(exe["command"]),
                Environment = Map(exe["environment"]),
                CoresMin = Number(compute?["cores"]?["min"]),
                CoresMax = Number(compute?["cores"]?["max"]),
                MemoryMinGiB = Number(compute?["memory"]?["min"]),
                MemoryMaxGiB = Number(compute?["memory"]?["max"]),
                Duration = Text(schedule?["duration"]) is { } ebDuration ? Quantities.ParseDuration(ebDuration) : null,
                Start = Text(schedule?["start"]),
            };
        }
        if (task["tasktype"] is not null)
        {
            var info = task["taskinfo"];
            var res = task["resources"];
            var schedule = task["schedule"];
            return new TaskSpec
            {
                Image = Text(info?["image"]),
                Command = Strings(info?["command"]),
                Environment = Map(info?["environment"]),
                CoresMin = Number(res?["mincores"]),
                CoresMax = Number(res?["maxcores"]),
                MemoryMinGiB = Memory(res?["minmemory"]),
                MemoryMaxGiB = Memory(res?["maxmemory"]),
                Duration = Text(schedule?["duration"] ?? res?["minduration"]) is { } noteDuration ? Quantities.ParseDuration(noteDuration) : null,
                Start = Text(schedule?["start"]),
            };
        }
        var (coresMin, coresMax) = Range(task["cores"], Number);
        var (memMin, memMax) = Range(task["memory"], Memory);
        return new TaskSpec
        {
            Name = Text(task["name"]),
            Image = Text(task["image"]),
            Command = Strings(task["cmd"] ?? task["command"]),
            Environment = Map(task["env"] ?? task["environment"]),
            CoresMin = coresMin,
            CoresMax = coresMax,
            MemoryMinGiB = memMin,
            MemoryMaxGiB = memMax,
            Duration = Text(task["duration"]) is { } d ? Quantities.ParseDuration(d) : null,
            Start = Text(task["start"]),
        };
    }

    static (decimal? Min, decimal? Max) Range(JsonNode? node, Func<JsonNode?, decimal?> read) => node switch
    {
        JsonObject o => (read(o["min"]), read(o["max"]) ?? read(o["min"])),
        JsonValue v when v.TryGetValue<string>(out var s) && (s.Contains("..", StringComparison.Ordinal) || s.Contains('-', StringComparison.Ordinal)) =>
            Quantities.ParseRange(s, x => read(JsonValue.Create(x))),
        null => (null, null),
        _ => (read(node), read(node)),
    };

    static string? Text(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v => v.ToJsonString(),
        _ => null,
    };

    static decimal? Number(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<decimal>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) => Quantities.ParseDecimal(s),
        null => null,
        _ => throw new FormatException($"'{node.ToJsonString()}' is not a number."),
    };

    static decimal? Memory(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<decimal>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) => Quantities.ParseMemoryGiB(s),
        null => null,
        _ => throw new FormatException($"'{node.ToJsonString()}' is not an amount of memory."),
    };

    static List<string> Strings(JsonNode? node) => node switch
    {
        JsonArray a => a.Select(x => Text(x) ?? "").ToList(),
        // One string is one argument: ep never splits or passes a command through a shell.
        JsonValue v => [Text(v) ?? ""],
        _ => [],
    };

    static Dictionary<string, string> Map(JsonNode? node)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is JsonObject o)
        {
            foreach (var (k, v) in o)
            {
                map[k] = Text(v) ?? "";
            }
        }
        else if (node is JsonArray a)
        {
            foreach (var item in a)
            {
                var pair = Text(item) ?? "";
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    map[pair[..eq]] = pair[(eq + 1)..];
                }
            }
        }
        return map;
    }

    /// <summary>YAML to the same JSON tree; plain scalars become numbers or booleans where they read as such.</summary>
    static JsonNode? FromYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? "", Convert(c.Value)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(Convert).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain } p => Plain(p.Value),
        YamlScalarNode q => JsonValue.Create(q.Value),
        _ => null,
    };

    static JsonValue? Plain(string? value) => value switch
    {
        null or "~" or "null" => null,
        "true" => JsonValue.Create(true),
        "false" => JsonValue.Create(false),
        _ when decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
        _ => JsonValue.Create(value),
    };
}
