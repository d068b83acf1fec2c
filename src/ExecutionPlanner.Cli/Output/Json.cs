using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExecutionPlanner.Cli.Planning;
using ExecutionPlanner.Cli.Uws;

namespace ExecutionPlanner.Cli.Output;

/// <summary>The --json shapes: one document per command on stdout, stable names, times in ISO 8601 UTC, memory in GiB.</summary>
internal static class Json
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Write(CliContext context, JsonNode node) => context.Out.Profile.Out.Writer.WriteLine(node.ToJsonString(Indented));

    public static JsonObject Answer(PlannerAnswer a, IReadOnlyList<OfferCandidate> ranked) => new()
    {
        ["service"] = a.Service.Url.AbsoluteUri,
        ["answer"] = a.Kind switch { AnswerKind.Yes => "YES", AnswerKind.No => "NO", _ => "FAILED" },
        ["dialect"] = a.Dialect.Length == 0 ? null : a.Dialect,
        ["elapsedMs"] = Math.Round(a.Elapsed.TotalMilliseconds, 1),
        ["reasons"] = new JsonArray(a.Reasons.Select(r => (JsonNode?)r).ToArray()),
        ["offers"] = new JsonArray(a.Offers.Select(o => (JsonNode?)Offer(o, ranked.ToList().IndexOf(o) + 1)).ToArray()),
    };

    public static JsonObject Offer(OfferCandidate o, int rank) => new()
    {
        ["rank"] = rank,
        ["service"] = o.Service.Url.AbsoluteUri,
        ["dialect"] = o.Dialect,
        ["id"] = o.Id,
        ["href"] = o.Href?.AbsoluteUri,
        ["start"] = Time(o.Start),
        ["startLatest"] = Time(o.StartLatest),
        ["duration"] = o.Duration is { } d ? System.Xml.XmlConvert.ToString(d) : null,
        ["cores"] = o.Cores,
        ["memoryGiB"] = o.MemoryGiB,
        ["expires"] = Time(o.Expires),
        ["serviceType"] = o.ServiceType,
        ["endpoint"] = o.Endpoint?.AbsoluteUri,
    };

    public static JsonObject Job(UwsJob job) => new()
    {
        ["url"] = job.Url.AbsoluteUri,
        ["jobId"] = job.JobId,
        ["phase"] = job.Phase,
        ["runId"] = job.RunId,
        ["ownerId"] = job.OwnerId,
        ["creationTime"] = job.CreationTime,
        ["startTime"] = job.StartTime,
        ["endTime"] = job.EndTime,
        ["quote"] = job.Quote,
        ["executionDuration"] = job.ExecutionDuration,
        ["destruction"] = job.Destruction,
        ["errorSummary"] = job.ErrorSummary,
        ["parameters"] = new JsonArray(job.Parameters.Select(p => (JsonNode?)new JsonObject { ["id"] = p.Key, ["value"] = p.Value }).ToArray()),
        ["results"] = new JsonArray(job.Results.Select(r => (JsonNode?)Result(r)).ToArray()),
    };

    public static JsonObject Result(UwsResultRef r) => new() { ["id"] = r.Id, ["href"] = r.Href.AbsoluteUri, ["size"] = r.Size, ["mimeType"] = r.MimeType };

    public static JsonObject JobRef(UwsJobRef r) => new()
    {
        ["jobId"] = r.JobId,
        ["href"] = r.Href.AbsoluteUri,
        ["phase"] = r.Phase,
        ["runId"] = r.RunId,
        ["ownerId"] = r.OwnerId,
        ["creationTime"] = r.CreationTime,
    };

    public static string? Time(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
