using System.Text.RegularExpressions;
using ExecutionPlanner.Server.Jobs;
using NJsonSchema;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// The published JSON Schemas (schemas/planner/, embedded in the server) and the check of a request
/// body against the one for its form: the first problem becomes a 400 that names the field.
/// </summary>
public static partial class PlannerSchemas
{
    public const string Request = "offerset-request.schema.json";
    public const string Request2021 = "offerset-request-2021.schema.json";
    public const string OfferSet = "offerset.schema.json";
    public const string Offer = "offer.schema.json";

    static readonly Dictionary<string, Lazy<JsonSchema>> Schemas =
        new[] { Request, Request2021, OfferSet, Offer }.ToDictionary(n => n, n => new Lazy<JsonSchema>(() => Load(n)));

    public static JsonSchema Get(string name) => Schemas[name].Value;

    /// <summary>The schema file's text as published.</summary>
    public static string Text(string name)
    {
        using var stream = typeof(PlannerSchemas).Assembly.GetManifestResourceStream($"schemas.planner.{name}")
            ?? throw new FileNotFoundException($"The embedded schema {name} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    static JsonSchema Load(string name) => JsonSchema.FromJsonAsync(Text(name)).GetAwaiter().GetResult();

    /// <summary>400 naming the first field that breaks the request schema of its form.</summary>
    public static void CheckRequest(string body, bool note2021)
    {
        var name = note2021 ? Request2021 : Request;
        ICollection<NJsonSchema.Validation.ValidationError> errors;
        try
        {
            errors = Get(name).Validate(body);
        }
        catch (Exception ex) when (ex is InvalidCastException or OverflowException or FormatException or Newtonsoft.Json.JsonException)
        {
            // NJsonSchema cannot compare a number beyond its numeric types (e.g. 1e400) with a schema bound.
            throw UwsRequestException.BadRequest($"A number in the request is beyond what this planner can read (see schemas/planner/{name}).");
        }
        if (errors.Count == 0)
        {
            return;
        }
        var first = errors.OrderBy(e => e.Path?.Length ?? 0).First();
        throw UwsRequestException.BadRequest(
            $"{JsonPointer(first.Path)}: {Words(first.Kind.ToString())} (see schemas/planner/{name}).");
    }

    /// <summary>NJsonSchema's "#/compute.cores.min" or "#/data[0]" as a JSON Pointer "/compute/cores/min", "/data/0".</summary>
    public static string JsonPointer(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "#")
        {
            return "/";
        }
        var p = path.StartsWith('#') ? path[1..] : path;
        p = Index().Replace(p, "/$1").Replace('.', '/');
        return p.StartsWith('/') ? p : "/" + p;
    }

    static string Words(string kind) => CamelHumps().Replace(kind, " $1").Trim().ToLowerInvariant();

    [GeneratedRegex(@"\[(\d+)\]")]
    private static partial Regex Index();

    [GeneratedRegex("([A-Z])")]
    private static partial Regex CamelHumps();
}
