using System.Net.Mime;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ExecutionPlanner.Cli.Planning;

/// <summary>
/// Accepting and rejecting offers, each in its planner's dialect: ours takes <c>{"phase": "ACCEPTED"}</c> on
/// the offer; a Calycopis session takes an update message (<c>uri:enum-value-update</c> on <c>phase</c>).
/// </summary>
internal sealed class OfferDecisions(ServiceHttp http)
{
    /// <summary>Rejections run on their own clock: they must still go out after a Ctrl-C cancelled everything else.</summary>
    public static readonly TimeSpan RejectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Accepts the offer and returns the UWS job it created.</summary>
    public async Task<Uri> AcceptAsync(OfferCandidate offer, CancellationToken ct)
    {
        var answer = await SetPhaseAsync(offer, "ACCEPTED", ct);
        var job = Text(answer?["job"]) ?? Text(answer?["meta"]?["job"]) ??
            (answer?["connectors"] as JsonArray)?.Select(c => Text(c?["location"])).FirstOrDefault(l => l is not null && l.Contains("/jobs/", StringComparison.Ordinal));
        if (job is null || !Uri.TryCreate(offer.Href!, job, out var url))
        {
            throw new CliException($"{offer.Service.Name} accepted the offer but named no job to follow.");
        }
        return url;
    }

    /// <summary>Rejects every offer given (those with an Href); returns one line per rejection that failed.</summary>
    public async Task<IReadOnlyList<string>> RejectAllAsync(IEnumerable<OfferCandidate> offers)
    {
        using var limit = new CancellationTokenSource(RejectTimeout);
        var rejections = offers.Where(o => o.Href is not null).Select(async o =>
        {
            try
            {
                await SetPhaseAsync(o, "REJECTED", limit.Token);
                return null;
            }
            catch (CliException ex)
            {
                return $"could not reject {o.Href}: {ex.Message}";
            }
            catch (OperationCanceledException)
            {
                return $"could not reject {o.Href}: no answer within {RejectTimeout.TotalSeconds:0} s (it expires by itself)";
            }
        });
        return (await Task.WhenAll(rejections)).OfType<string>().ToList();
    }

    async Task<JsonNode?> SetPhaseAsync(OfferCandidate offer, string phase, CancellationToken ct)
    {
        var body = offer.Dialect == PlannerAnswerReader.Calycopis
            ? new JsonObject { ["kind"] = "uri:enum-value-update", ["path"] = "phase", ["value"] = phase }
            : new JsonObject { ["phase"] = phase };
        using var post = new HttpRequestMessage(HttpMethod.Post, offer.Href)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, MediaTypeNames.Application.Json),
        };
        var (response, text) = await http.SendForTextAsync(post, ct);
        using (response)
        {
            if (response.Headers.Location is { } location)
            {
                using var get = new HttpRequestMessage(HttpMethod.Get, new Uri(offer.Href!, location));
                var (again, json) = await http.SendForTextAsync(get, ct);
                again.Dispose();
                text = json;
            }
        }
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            throw new CliException($"{offer.Service.Name} answered the {phase} with something that is not JSON: {ServiceHttp.Shorten(text)}");
        }
    }

    static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
