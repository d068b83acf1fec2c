using System.Text.Json.Nodes;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.PlannerClient;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// No caller can starve the others: the cap on an owner's open offers (smaller for anonymous callers),
/// and capacity given back at once when a session is cancelled. A small platform (4 cores, 8 GiB) in a
/// database of its own; the tests share it, so they run one at a time.
/// </summary>
[NonParallelizable]
public sealed class PlannerFairnessTests : PrivateServerFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Planner:PlatformCores"] = "4",
        ["Planner:PlatformMemory"] = "8Gi",
        ["Jobs:MaxCores"] = "4",
        ["Jobs:MaxMemory"] = "8Gi",
        ["Planner:OwnerOfferShare"] = "1",
        ["Planner:AnonymousOfferShare"] = "0.5",
    };

    /// <summary>A task of <paramref name="cores"/> cores and 1 GiB that must start within ten minutes.</summary>
    static JsonObject Now(decimal cores)
    {
        var task = DockerTask(coresMin: cores, coresMax: cores, memoryMin: 1, memoryMax: 1, duration: "PT1H");
        task["schedule"]!["requested"]!["start"] = $"{TimeProvider.System.GetUtcNow():yyyy-MM-ddTHH:mm:ss}Z/PT10M";
        return task;
    }

    [Test]
    public async Task An_anonymous_caller_cannot_hold_more_than_its_share_in_open_offers_and_others_still_get_offers()
    {
        using var anonymous = Server.Anonymous();
        var held = 0m;
        var hrefs = new List<string>();
        JsonObject? refused = null;
        for (var i = 0; i < 7 && refused is null; i++)
        {
            var set = await anonymous.AskAsync(Now(1));
            if (set["result"]!.GetValue<string>() == "NO")
            {
                refused = set;
            }
            else
            {
                held += Offers(set).Sum(o => Offered(o!, "cores"));
                hrefs.AddRange(Offers(set).Select(Href));
            }
        }
        Assert.That(held, Is.LessThanOrEqualTo(2m), "the anonymous share is half the platform's 4 cores");
        Assert.That(refused, Is.Not.Null, "asking again and again ends in NO");
        Assert.That(refused!["reasons"]![0]!["text"]!.GetValue<string>(), Does.Contain("at most 2 cores").And.Contain("anonymous"));

        using var other = Server.NewOwner();
        var fair = await other.AskAsync(Now(2));
        Assert.That(fair["result"]!.GetValue<string>(), Is.EqualTo("YES"), fair.ToJsonString());

        // Give the platform back for the next test.
        foreach (var href in hrefs)
        {
            await anonymous.SetOfferPhaseAsync(href, "REJECTED");
        }
        foreach (var offer in Offers(fair))
        {
            await other.SetOfferPhaseAsync(Href(offer), "REJECTED");
        }
    }

    [Test]
    public async Task A_cancelled_sessions_capacity_is_offered_again_at_once()
    {
        using var first = Server.NewOwner();
        using var second = Server.NewOwner();
        var set = await first.AskAsync(Now(4));
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("YES"), set.ToJsonString());
        var session = Href(Offers(set)[0]).Replace("/planner/offers/", "/sessions/", StringComparison.Ordinal);
        var (_, accepted, body) = await first.UpdateAsync(session, PhaseUpdateMessage("ACCEPTED"));
        Assert.That(accepted, Is.Not.Null, body);
        var jobId = new Uri(accepted!["job"]!.GetValue<string>()).Segments[^1];

        var full = await second.AskAsync(Now(4));
        Assert.That(full["result"]!.GetValue<string>(), Is.EqualTo("NO"), "the whole platform is booked for the next hour");

        var (status, cancelled, text) = await first.UpdateAsync(session, PhaseUpdateMessage("CANCELLED"));
        Assert.That(status, Is.EqualTo(System.Net.HttpStatusCode.OK), text);
        Assert.That(cancelled!["phase"]!.GetValue<string>(), Is.EqualTo("CANCELLED"));
        Assert.That(await first.PhaseAsync(jobId), Is.EqualTo("ABORTED"));

        var again = await second.AskAsync(Now(4));
        Assert.That(again["result"]!.GetValue<string>(), Is.EqualTo("YES"), again.ToJsonString());
        foreach (var offer in Offers(again))
        {
            await second.SetOfferPhaseAsync(Href(offer), "REJECTED");
        }
    }
}
