using ExecutionPlanner.Server.Http;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExecutionPlanner.Server.Jobs;
using static ExecutionPlanner.Server.Planner.RequestValues;

namespace ExecutionPlanner.Server.Planner;

/// <summary>What a client asks of an offer or session: accept it, reject it, or cancel it.</summary>
public enum SessionCommand
{
    Accept,
    Reject,
    Cancel,
}

/// <summary>
/// Reads a phase change in every form clients send it: {"phase": "ACCEPTED"} or a form phase=ACCEPTED
/// (our offers, the 2024 drafts), the update message {"kind": "uri:enum-value-update", "path": "phase",
/// "value": "ACCEPTED"} (Calycopis; "type" in the 2023 drafts), also wrapped as {"update": {...}}, in
/// JSON, YAML or a form. The value is a phase name, matched exactly (any case): "1" is not ACCEPTED.
/// </summary>
public static class PhaseUpdate
{
    public static async Task<SessionCommand> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        using var document = await PlannerBody.ReadAsync(request, ct);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Malformed();
        }
        // Field names in any case: UWS clients write PHASE=ACCEPTED.
        root = Lowered(root);
        return Command(ObjectOf(root, "update", "/update") is { } wrapped ? Lowered(wrapped) : root);
    }

    /// <summary>The object with its member names in lower case (a copy, independent of its document, when any name changes).</summary>
    static JsonElement Lowered(JsonElement element)
    {
        if (element.EnumerateObject().All(p => p.Name.Equals(p.Name.ToLowerInvariant(), StringComparison.Ordinal)))
        {
            return element;
        }
        var copy = new JsonObject();
        foreach (var p in element.EnumerateObject())
        {
            var name = p.Name.ToLowerInvariant();
            if (copy.ContainsKey(name))
            {
                throw UwsRequestException.BadRequest($"'{p.Name}' is given twice.");
            }
            copy[name] = JsonNode.Parse(p.Value.GetRawText());
        }
        using var document = JsonDocument.Parse(copy.ToJsonString());
        return document.RootElement.Clone();
    }

    static SessionCommand Command(JsonElement root)
    {
        string? value;
        string where;
        if (Member(root, "path") is not null || Member(root, "value") is not null)
        {
            var path = StringOf(root, "path", "/path") ?? throw UwsRequestException.BadRequest("/path is required in an update: send \"path\": \"phase\".");
            if (!path.Trim().TrimStart('/').Equals("phase", StringComparison.OrdinalIgnoreCase))
            {
                throw UwsRequestException.BadRequest($"/path '{path}' cannot be updated here: only the phase can (ACCEPTED, REJECTED or CANCELLED).");
            }
            var (kind, _) = Kind(root, string.Empty);
            if (kind is not null && !kind.EndsWith("value-update", StringComparison.OrdinalIgnoreCase))
            {
                throw UwsRequestException.BadRequest($"/kind '{kind}' is not an update this service applies: send uri:enum-value-update.");
            }
            value = StringOf(root, "value", "/value");
            where = "/value";
        }
        else
        {
            value = StringOf(root, "phase", "/phase");
            where = "/phase";
        }
        return value?.Trim().ToUpperInvariant() switch
        {
            "ACCEPTED" or "ACCEPT" => SessionCommand.Accept,
            "REJECTED" or "REJECT" => SessionCommand.Reject,
            "CANCELLED" or "CANCELED" or "CANCEL" => SessionCommand.Cancel,
            null => throw Malformed(),
            _ => throw UwsRequestException.BadRequest($"{where} '{value}' is not a phase a client can set: send ACCEPTED, REJECTED or CANCELLED."),
        };
    }

    static UwsRequestException Malformed() => UwsRequestException.BadRequest(
        "Send {\"phase\": \"ACCEPTED\"}, a form phase=ACCEPTED, or the update {\"kind\": \"uri:enum-value-update\", \"path\": \"phase\", \"value\": \"ACCEPTED\"} (or REJECTED, CANCELLED).");
}
