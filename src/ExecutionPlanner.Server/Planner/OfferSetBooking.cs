using System.Text.Json;
using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// One request for offers, whichever route and dialect it came by: read the body (JSON, YAML or a
/// form), read the task in its form, resolve who it acts for, check it, and book offers in the ledger
/// within the owner's cap, or store the NO with its reasons.
/// </summary>
public sealed class OfferSetBooking(
    CallerResolver callers, OfferSetPlanner planner, OfferStore store, PlatformCapacity platform,
    IOptionsMonitor<PlannerOptions> options, TimeProvider clock)
{
    public async Task<(OfferSet Set, DateTimeOffset Now)> BookAsync(HttpRequest request, CancellationToken ct)
    {
        using var document = await PlannerBody.ReadAsync(request, ct);
        return await BookAsync(document.RootElement, request, ct);
    }

    public async Task<(OfferSet Set, DateTimeOffset Now)> BookAsync(JsonElement root, HttpRequest request, CancellationToken ct)
    {
        var task = OfferSetRequestReader.Read(root);
        var (caller, unknownCredential) = ExplicitCredentials.Resolve(task, request, callers);
        var now = UwsTime.Truncate(clock.GetUtcNow());
        if (unknownCredential is not null)
        {
            return (await store.StoreNoAsync(caller.OwnerId, task, [unknownCredential], now, ct), now);
        }
        var capacity = await platform.GetAsync(ct);
        var reasons = new List<Reason>();
        var needs = planner.Check(task, capacity, now, reasons);
        if (needs is null)
        {
            return (await store.StoreNoAsync(caller.OwnerId, task, reasons, now, ct), now);
        }
        var o = options.CurrentValue;
        var set = await store.BookAsync(caller.OwnerId, task, capacity, OfferCap.For(capacity, o, caller.IsAnonymous), now,
            now + o.OfferLifetime, ledger => planner.Offer(task, needs, ledger), ct);
        return (set, now);
    }
}
