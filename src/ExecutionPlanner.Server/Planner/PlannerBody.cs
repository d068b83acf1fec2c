using ExecutionPlanner.Server.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExecutionPlanner.Server.Jobs;
using Microsoft.Net.Http.Headers;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// Every planner request body as one JSON document, whatever it came as: JSON, YAML (the Content-Type
/// decides; with none, JSON is tried first) or a form (urlencoded or multipart, field names with dots
/// nesting: <c>taskinfo.image</c>, repeated fields becoming lists). Hostile bodies are 400s that say
/// what was wrong: too large, not UTF-8, not JSON or YAML, a string holding a lone UTF-16 surrogate
/// or the NUL character, nesting deeper than 64.
/// </summary>
public static class PlannerBody
{
    public const int MaxBodyBytes = 1024 * 1024;

    public static async Task<JsonDocument> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        string json;
        if (request.HasFormContentType)
        {
            json = await FormAsJsonAsync(request, ct);
        }
        else
        {
            var text = await ReadTextAsync(request, ct);
            var media = MediaTypeHeaderValue.TryParse(request.ContentType, out var m) ? m.MediaType.Value?.ToLowerInvariant() : null;
            json = media switch
            {
                "application/yaml" or "application/x-yaml" or "text/yaml" or "text/x-yaml" => YamlJson.Convert(text),
                _ when media is not null && media.EndsWith("+yaml", StringComparison.Ordinal) => YamlJson.Convert(text),
                "application/json" or "text/json" => text,
                _ when media is not null && media.EndsWith("+json", StringComparison.Ordinal) => text,
                null or "text/plain" or "application/octet-stream" => LooksLikeJson(text) ? text : YamlJson.Convert(text),
                "application/xml" or "text/xml" => throw new UwsRequestException(StatusCodes.Status415UnsupportedMediaType,
                    "This planner reads JSON and YAML request bodies, not XML: send Content-Type application/json or application/yaml."),
                _ => throw new UwsRequestException(StatusCodes.Status415UnsupportedMediaType,
                    $"Content-Type '{request.ContentType}' is not one this planner reads: send application/json, application/yaml or a form."),
            };
        }
        return Parse(json);
    }

    /// <summary>A task description typed as text (the browser view's form): JSON if it looks like JSON, else YAML.</summary>
    public static JsonDocument ParseText(string text) => Parse(LooksLikeJson(text) ? text : YamlJson.Convert(text));

    static JsonDocument Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw UwsRequestException.BadRequest($"The request body is not JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): " +
                "send a task description such as {\"executable\": {\"kind\": \"...\", \"image\": \"...\"}}.");
        }
        try
        {
            CheckStrings(document.RootElement, string.Empty);
            return document;
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    static bool LooksLikeJson(string text) => text.AsSpan().TrimStart() is var t && t.Length > 0 && t[0] is '{' or '[' or '"';

    static async Task<string> ReadTextAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw TooLarge();
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    throw TooLarge();
                }
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex)
        {
            throw new UwsRequestException(ex.StatusCode, $"The request body could not be read: {ex.Message}");
        }
        try
        {
            return new UTF8Encoding(false, true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw UwsRequestException.BadRequest("The request body is not UTF-8 text.");
        }
    }

    static UwsRequestException TooLarge() =>
        new(StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {MaxBodyBytes} bytes.");

    /// <summary>A form as JSON: "a.b=c" becomes {"a": {"b": "c"}}; a field given twice becomes a list.</summary>
    static async Task<string> FormAsJsonAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw TooLarge();
        }
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new Microsoft.AspNetCore.Http.Features.FormOptions
            {
                ValueLengthLimit = MaxBodyBytes,
                MultipartBodyLengthLimit = MaxBodyBytes,
                ValueCountLimit = 1024,
            }, ct);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or BadHttpRequestException or DecoderFallbackException or InvalidOperationException)
        {
            throw UwsRequestException.BadRequest($"The form body could not be read: {ex.Message}");
        }
        var root = new JsonObject();
        foreach (var (name, values) in form)
        {
            JsonNode value = values.Count == 1 ? JsonValue.Create(values[0] ?? string.Empty)
                : new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v ?? string.Empty)).ToArray());
            Place(root, name, value);
        }
        // A whole request sent as a file part ("request", "task" or the only file) is read as JSON or YAML.
        foreach (var file in form.Files)
        {
            if (file.Length > MaxBodyBytes)
            {
                throw TooLarge();
            }
            using var reader = new StreamReader(file.OpenReadStream(), new UTF8Encoding(false, true));
            string text;
            try
            {
                text = await reader.ReadToEndAsync(ct);
            }
            catch (DecoderFallbackException)
            {
                throw UwsRequestException.BadRequest($"The form part '{file.Name}' is not UTF-8 text.");
            }
            var json = LooksLikeJson(text) ? text : YamlJson.Convert(text);
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(json);
            }
            catch (JsonException)
            {
                throw UwsRequestException.BadRequest($"The form part '{file.Name}' is not JSON or YAML.");
            }
            if (file.Name is "request" or "task" or "body" && node is JsonObject whole)
            {
                foreach (var (k, v) in whole.ToList())
                {
                    whole.Remove(k);
                    root[k] = v;
                }
            }
            else if (node is not null)
            {
                Place(root, file.Name, node);
            }
        }
        return root.ToJsonString();
    }

    static void Place(JsonObject root, string dotted, JsonNode value)
    {
        var parts = dotted.Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            return;
        }
        var at = root;
        foreach (var part in parts[..^1])
        {
            if (at[part] is not JsonObject next)
            {
                next = new JsonObject();
                at[part] = next;
            }
            at = next;
        }
        at[parts[^1]] = value;
    }

    /// <summary>400 for a string or name that .NET cannot hold as text (a lone surrogate escape) or that holds NUL.</summary>
    static void CheckStrings(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var name = Text(property, path);
                    CheckStrings(property.Value, $"{path}/{name}");
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    CheckStrings(item, $"{path}/{i++}");
                }
                break;
            case JsonValueKind.String:
                string text;
                try
                {
                    text = element.GetString()!;
                }
                catch (InvalidOperationException)
                {
                    throw UwsRequestException.BadRequest($"{Where(path)} is not valid Unicode text (it holds a lone UTF-16 surrogate).");
                }
                if (text.Contains('\0', StringComparison.Ordinal))
                {
                    throw UwsRequestException.BadRequest($"{Where(path)} holds the NUL character (\\u0000), which no field of a task may hold.");
                }
                break;
        }
    }

    static string Text(JsonProperty property, string path)
    {
        string name;
        try
        {
            name = property.Name;
        }
        catch (InvalidOperationException)
        {
            throw UwsRequestException.BadRequest($"A member name in {Where(path)} is not valid Unicode text (it holds a lone UTF-16 surrogate).");
        }
        return name.Contains('\0', StringComparison.Ordinal)
            ? throw UwsRequestException.BadRequest($"A member name in {Where(path)} holds the NUL character (\\u0000).")
            : name;
    }

    static string Where(string path) => path.Length == 0 ? "The body" : path;
}
