using ExecutionPlanner.Server.Http;
using System.Collections.Frozen;
using System.Globalization;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// The job list filters (UWS §2.2.2.1, checklist E.29): PHASE (repeatable: a union), AFTER (creationTime
/// strictly later) and LAST (the n newest), combined with AND. Repeated AFTER keeps the latest instant
/// and repeated LAST the smallest n, so a repeat can only narrow the list.
/// </summary>
public sealed record JobListFilter(IReadOnlySet<ExecutionPhase>? Phases, DateTimeOffset? After, int? Last)
{
    public static JobListFilter Parse(UwsRequestParameters query)
    {
        HashSet<ExecutionPhase>? phases = null;
        DateTimeOffset? after = null;
        int? last = null;
        foreach (var (key, value) in query.Pairs)
        {
            switch (key.ToUpperInvariant())
            {
                case "PHASE":
                    (phases ??= []).Add(ParsePhase(value));
                    break;
                case "AFTER":
                    if (!UwsTime.TryParse(value, out var instant))
                    {
                        throw UwsRequestException.BadRequest($"AFTER '{value}' is not an ISO 8601 instant such as 2026-01-31T12:00:00Z.");
                    }
                    after = after is { } a && a > instant ? a : instant;
                    break;
                case "LAST":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
                    {
                        throw UwsRequestException.BadRequest($"LAST '{value}' must be an integer greater than 0.");
                    }
                    last = last is { } l && l < n ? l : n;
                    break;
                default:
                    throw UwsRequestException.BadRequest($"Unknown job list filter '{key}'; use PHASE, AFTER or LAST.");
            }
        }
        return new JobListFilter(phases, after, last);
    }

    static readonly FrozenDictionary<string, ExecutionPhase> PhasesByName =
        Enum.GetValues<ExecutionPhase>().ToFrozenDictionary(p => p.ToString(), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Phase names in any case (checklist F.39.4); 400 for anything else. Only exact names count:
    /// Enum.TryParse would also take numbers and comma lists ("PENDING,QUEUED" parses as QUEUED).
    /// </summary>
    public static ExecutionPhase ParsePhase(string value) =>
        PhasesByName.TryGetValue(value.Trim(), out var phase)
            ? phase
            : throw UwsRequestException.BadRequest(
                $"PHASE '{value}' is not a UWS phase; use one of {string.Join(", ", Enum.GetNames<ExecutionPhase>())}.");
}
