using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExecutionPlanner.Server.Auth;
using ExecutionPlanner.Server.Jobs;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Planner;

/// <summary>POST /planner/offersets (ask for offers) and GET /planner/offersets/{id}.</summary>
public static class OfferSetEndpoints
{
    const int MaxBodyBytes = 1024 * 1024;

    public static async Task<JsonHttpResult<JsonObject>> Create(
        HttpRequest request, CallerResolver callers, OfferSetPlanner planner, OfferStore store, PlatformCapacity platform,
        IOptionsMonitor<PlannerOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var body = await ReadBodyAsync(request, ct);
        using var document = Parse(body);
        try
        {
            CheckStrings(document.RootElement, string.Empty);
        }
        catch (InvalidOperationException)
        {
            // GetString throws for an escaped unpaired surrogate ("\ud800"), which no text can store.
            throw UwsRequestException.BadRequest("The request body holds a string with an unpaired surrogate escape such as \\ud800.");
        }
        var note2021 = document.RootElement.ValueKind == JsonValueKind.Object && OfferSetRequestReader.IsNote2021(document.RootElement);
        PlannerSchemas.CheckRequest(body, note2021);
        var task = OfferSetRequestReader.Read(document.RootElement);
        var (caller, unknownCredential) = ExplicitCredentials.Resolve(task, request, callers);

        var now = UwsTime.Truncate(clock.GetUtcNow());
        OfferSet set;
        if (unknownCredential is not null)
        {
            set = await store.StoreNoAsync(caller.OwnerId, task, [unknownCredential], now, ct);
        }
        else
        {
            var capacity = await platform.GetAsync(ct);
            var reasons = new List<Reason>();
            var needs = planner.Check(task, capacity, now, reasons);
            set = needs is null
                ? await store.StoreNoAsync(caller.OwnerId, task, reasons, now, ct)
                : await store.BookAsync(caller.OwnerId, task, capacity, now,
                    now + options.CurrentValue.OfferLifetime, ledger => planner.Offer(task, needs, ledger), ct);
        }
        return TypedResults.Json(OfferJson.OfferSet(set, request, now));
    }

    public static async Task<JsonHttpResult<JsonObject>> Get(
        string offerSetId, HttpRequest request, CallerResolver callers, OfferStore store, TimeProvider clock, CancellationToken ct)
    {
        var caller = callers.Resolve(request);
        var set = await store.GetSetAsync(offerSetId, caller.OwnerId, ct)
            ?? throw UwsRequestException.NotFound($"No offer set '{offerSetId}'.");
        return TypedResults.Json(OfferJson.OfferSet(set, request, clock.GetUtcNow()));
    }

    static async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw new UwsRequestException(StatusCodes.Status413PayloadTooLarge, $"The task description is larger than {MaxBodyBytes} bytes.");
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw new UwsRequestException(StatusCodes.Status413PayloadTooLarge, $"The task description is larger than {MaxBodyBytes} bytes.");
            }
            buffer.Write(chunk, 0, read);
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

    /// <summary>
    /// Every string of the task description may reach a job document (name becomes runId, command and
    /// environment its parameters) and is stored as jsonb: refuse at once the characters neither can hold.
    /// </summary>
    static void CheckStrings(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                XmlCharacters.Check(path.Length == 0 ? "The request" : path, element.GetString()!);
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    XmlCharacters.Check($"A property name in {(path.Length == 0 ? "/" : path)}", property.Name);
                    CheckStrings(property.Value, $"{path}/{property.Name}");
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    CheckStrings(item, $"{path}/{i++}");
                }
                break;
        }
    }

    static JsonDocument Parse(string body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw UwsRequestException.BadRequest($"The request body is not JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): " +
                "send a task description such as {\"executable\": {\"kind\": \"...\", \"image\": \"...\"}}.");
        }
    }
}
