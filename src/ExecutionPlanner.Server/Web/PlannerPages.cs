using ExecutionPlanner.Server.Http;
using System.Globalization;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Planner;

namespace ExecutionPlanner.Server.Web;

/// <summary>
/// The planner in the browser: paste a task description (JSON or YAML, any dialect POST /planner/offersets
/// reads), see the offers or the reasons for NO, accept one (its job is created and the browser goes to it).
/// </summary>
public static class PlannerPages
{
    const string Example = """
        {
          "executable": {
            "kind": "https://www.purl.org/ivoa.net/EB/schema/v1.0/types/executable/docker-container-1.0",
            "image": "executionplanner/busybox:1",
            "command": ["sh", "-c", "echo hello > /uws/results/hello.txt"]
          },
          "compute": {"cores": {"min": 1, "max": 2}, "memory": {"min": 1, "max": 2}},
          "schedule": {"requested": {"duration": "PT10M"}}
        }
        """;

    public static IResult Get(HttpContext http) => RenderAsk(new BrowserContext(http), Example, null, StatusCodes.Status200OK);

    /// <summary>POST /web/planner/offersets: books offers exactly as POST /planner/offersets does, then shows them (303 to the offer set).</summary>
    public static async Task<IResult> Ask(
        HttpContext http, OfferSetBooking booking, Microsoft.Extensions.Options.IOptionsMonitor<JobsOptions> options, CancellationToken ct)
    {
        var page = new BrowserContext(http);
        var parameters = await UwsRequestParameters.ReadAsync(http.Request, options.CurrentValue, ct);
        BrowserForms.RequireAntiforgery(http, parameters);
        var text = parameters.One("task") ?? "";
        try
        {
            using var document = PlannerBody.ParseText(text);
            var (set, _) = await booking.BookAsync(document.RootElement, http.Request, ct);
            return new SeeOther(page.Url("/web/planner/offersets/" + set.Id));
        }
        catch (UwsRequestException ex) when (ex.StatusCode != StatusCodes.Status401Unauthorized)
        {
            return RenderAsk(page, text, ex.Message, ex.StatusCode);
        }
    }

    public static async Task<IResult> OfferSet(string offerSetId, HttpContext http, OfferStore store, TimeProvider clock, CancellationToken ct)
    {
        var page = new BrowserContext(http);
        var set = await store.GetSetAsync(offerSetId, page.Caller.OwnerId, ct)
            ?? throw UwsRequestException.NotFound($"No offer set '{offerSetId}'.");
        var now = clock.GetUtcNow();
        var reasons = set.Reasons.Count == 0 ? Html.Empty : Html.Of($"""
            <h2>Reasons</h2>
            <ul class="reasons">{Html.Join(set.Reasons, r => Html.Of($"<li><code>{(r.Path.Length == 0 ? "/" : r.Path)}</code>: {r.Text}</li>"))}</ul>
            """);
        var rows = Html.Join(set.Offers, o => Html.Of($"""
            <tr>
            <th scope="row"><a href="{page.Url("/planner/offers/" + o.Id)}">{o.Id}</a></th>
            <td><span class="phase phase-{o.PhaseAt(now).ToString().ToLowerInvariant()}">{o.PhaseAt(now)}</span></td>
            <td>{o.Cores.ToString(CultureInfo.InvariantCulture)}</td>
            <td>{BrowserText.Size(o.MemoryBytes)}</td>
            <td>{BrowserText.Time(o.Start)} – {BrowserText.Time(o.StartLatest)}</td>
            <td>{IsoDuration.Format(o.Duration)}</td>
            <td>{BrowserText.Time(o.Expires)}</td>
            <td>{Accept(page, o, now)}</td>
            </tr>
            """));
        var offers = set.Offers.Count == 0 ? Html.Empty : Html.Of($"""
            <div class="table-wrap" role="region" aria-label="Offers" tabindex="0">
            <table>
            <caption>Offers</caption>
            <thead><tr><th scope="col">Offer</th><th scope="col">Phase</th><th scope="col">Cores</th><th scope="col">Memory</th>
            <th scope="col">Start between</th><th scope="col">Duration</th><th scope="col">Open until</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
            <tbody>{rows}</tbody>
            </table>
            </div>
            """);
        var main = Html.Of($"""
            <h1>Offer set <span class="id">{set.Id}</span></h1>
            <p class="answer answer-{(set.Yes ? "yes" : "no")}">{(set.Yes ? "YES" : "NO")}: {(set.Yes ? $"{set.Offers.Count} {(set.Offers.Count == 1 ? "offer" : "offers")}" : "no offer")}</p>
            {reasons}
            {offers}
            <p><a href="{page.Url("/web/planner")}">Ask again</a></p>
            """);
        return new HtmlPage(page, $"Offer set {set.Id}", main);
    }

    /// <summary>POST /web/planner/offers/{id}/accept: accepts as POST /planner/offers/{id} {"phase":"ACCEPTED"} does; then to the job.</summary>
    public static async Task<IResult> AcceptOffer(
        string offerId, HttpContext http, SessionControl control, Microsoft.Extensions.Options.IOptionsMonitor<JobsOptions> options, CancellationToken ct)
    {
        var page = new BrowserContext(http);
        var form = await UwsRequestParameters.ReadAsync(http.Request, options.CurrentValue, ct);
        BrowserForms.RequireAntiforgery(http, form);
        var offer = await control.ApplyAsync(offerId, page.Caller.OwnerId, SessionCommand.Accept, ct);
        return new SeeOther(page.Url(offer.JobId is { } jobId ? "/jobs/" + jobId : "/web/planner/offersets/" + offer.OfferSetId));
    }

    static Html Accept(BrowserContext page, Offer offer, DateTimeOffset now) =>
        offer.PhaseAt(now) == OfferPhase.OFFERED
            ? Html.Of($"""
                <form method="post" action="{page.Url($"/web/planner/offers/{offer.Id}/accept")}">{page.AntiforgeryField()}<button type="submit" aria-label="Accept offer {offer.Id}">Accept</button></form>
                """)
            : offer.JobId is { } jobId ? Html.Of($"""<a href="{page.Url("/jobs/" + jobId)}">Job {jobId}</a>""") : Html.Empty;

    static HtmlPage RenderAsk(BrowserContext page, string text, string? error, int status)
    {
        var main = Html.Of($"""
            <h1>Planner</h1>
            <p>Describe a task; the planner answers with offers (cores, memory and a start window it can promise) or says why not.</p>
            {Html.When(error is not null, Html.Of($"""<div class="alert" role="alert"><h2>The planner could not read this</h2><p>{error}</p></div>"""))}
            <form method="post" action="{page.Url("/web/planner/offersets")}">
            {page.AntiforgeryField()}
            <p><label for="task">Task description</label>
            <textarea id="task" name="task" rows="14" spellcheck="false" required aria-describedby="task-help">{text}</textarea>
            <small id="task-help">JSON or YAML, in any form POST /planner/offersets reads (ExecutionBroker drafts, Calycopis, the 2021 note).</small></p>
            <p><button type="submit">Ask for offers</button></p>
            </form>
            """);
        return new HtmlPage(page, "Planner", main, status);
    }
}
