using ExecutionPlanner.Server.Http;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ExecutionPlanner.Server.Jobs;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// A YAML request body (the ExecutionBroker drafts and the 2021 note prefer YAML for what people
/// write) as the JSON the readers take: mappings become objects, sequences arrays, plain scalars
/// that read as numbers, booleans or null become those, everything else strings. Aliases are followed,
/// within a budget of nodes, so that a small document cannot expand into a huge one.
/// </summary>
public static partial class YamlJson
{
    const int MaxNodes = 100_000;
    const int MaxDepth = 64;

    public static string Convert(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw UwsRequestException.BadRequest($"The request body is not YAML (line {ex.Start.Line}, column {ex.Start.Column}): {ex.Message}");
        }
        if (stream.Documents.Count != 1)
        {
            throw UwsRequestException.BadRequest($"The request body must be one YAML document, not {stream.Documents.Count}.");
        }
        using var buffer = new MemoryStream();
        try
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                var budget = MaxNodes;
                Write(writer, stream.Documents[0].RootNode, 0, ref budget);
            }
        }
        catch (ArgumentException)
        {
            // Utf8JsonWriter refuses text that is not valid UTF-16 (a lone surrogate from an escape).
            throw UwsRequestException.BadRequest("The YAML body holds a string that is not valid Unicode (a lone UTF-16 surrogate).");
        }
        catch (InvalidOperationException ex)
        {
            throw UwsRequestException.BadRequest($"The YAML body cannot be read as JSON: {ex.Message}");
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    static void Write(Utf8JsonWriter writer, YamlNode node, int depth, ref int budget)
    {
        if (--budget < 0 || depth > MaxDepth)
        {
            throw UwsRequestException.BadRequest($"The YAML body is too large or too deep once its aliases are expanded (at most {MaxNodes} nodes, {MaxDepth} levels).");
        }
        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in mapping.Children)
                {
                    writer.WritePropertyName(key is YamlScalarNode k ? k.Value ?? string.Empty
                        : throw UwsRequestException.BadRequest($"The YAML body has a mapping key that is not a plain value (line {key.Start.Line})."));
                    Write(writer, value, depth + 1, ref budget);
                }
                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Children)
                {
                    Write(writer, item, depth + 1, ref budget);
                }
                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
            default:
                throw UwsRequestException.BadRequest($"The YAML body has a node this service cannot read (line {node.Start.Line}).");
        }
    }

    static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        var value = scalar.Value ?? string.Empty;
        if (scalar.Style is ScalarStyle.Plain or ScalarStyle.Any)
        {
            switch (value)
            {
                case "" or "~" or "null" or "Null" or "NULL":
                    writer.WriteNullValue();
                    return;
                case "true" or "True" or "TRUE":
                    writer.WriteBooleanValue(true);
                    return;
                case "false" or "False" or "FALSE":
                    writer.WriteBooleanValue(false);
                    return;
            }
            if (JsonNumber().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            {
                writer.WriteRawValue(value);
                return;
            }
        }
        writer.WriteStringValue(value);
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")]
    private static partial Regex JsonNumber();
}
