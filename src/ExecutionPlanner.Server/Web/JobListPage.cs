using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ExecutionPlanner.Server.Web;

/// <summary>
/// GET /jobs for a browser: the caller's jobs with the UWS filters (PHASE, AFTER, LAST) as a form. The rows
/// follow their jobs' phases by themselves (jobs.js, from /jobs/events).
/// </summary>
public static class JobListPage
{
    /// <summary>A page holds at most this many rows; LAST and AFTER narrow the list.</summary>
    public const int MaxRows = 500;

    public static async Task<IResult> RenderAsync(HttpContext http)
    {
        var page = new BrowserContext(http);
        var db = http.RequestServices.GetRequiredService<UwsDbContext>();
        // An empty field of the filter form means "no filter", not an invalid value.
        var query = UwsRequestParameters.FromQuery(http.Request);
        var filter = JobListFilter.Parse(UwsRequestParameters.From(query.Pairs.Where(p => p.Value.Trim().Length > 0), []));
        var jobs = await db.List(page.Caller, filter).Take(MaxRows + 1).ToListAsync(http.RequestAborted);
        var more = jobs.Count > MaxRows;
        if (more)
        {
            jobs.RemoveAt(MaxRows);
        }

        var rows = Html.Join(jobs, j => Html.Of($"""
            <tr data-job-id="{j.Id}">
            <th scope="row"><a href="{page.Url("/jobs/" + j.Id)}">{j.Id}</a></th>
            <td>{j.RunId}</td>
            <td class="job-phase">{BrowserText.Phase(j.Phase)}</td>
            <td>{BrowserText.Time(j.CreationTime)}</td>
            </tr>
            """));
        var phases = Html.Join(Enum.GetValues<ExecutionPhase>(), p => Html.Of($"""
            <label class="check"><input type="checkbox" name="PHASE" value="{p}"{Html.When(filter.Phases?.Contains(p) == true, Html.Of($" checked"))}> {p}</label>
            """));
        var main = Html.Of($"""
            <h1>Jobs</h1>
            <p><a class="button" href="{page.Url("/web/jobs/new")}">New job</a></p>
            <form class="filters" method="get" action="{page.Url("/jobs")}" role="search" aria-label="Filter the jobs">
            <fieldset><legend>Phase</legend><div class="checks">{phases}</div></fieldset>
            <p><label for="after">Created after</label>
            <input id="after" name="AFTER" type="text" inputmode="text" placeholder="2026-11-25T10:00:00Z" value="{query.ValuesOf("AFTER").LastOrDefault()}" aria-describedby="after-help">
            <small id="after-help">An ISO 8601 instant (UTC unless it names a zone).</small></p>
            <p><label for="last">Newest</label>
            <input id="last" name="LAST" type="number" min="1" step="1" inputmode="numeric" value="{query.ValuesOf("LAST").LastOrDefault()}"></p>
            <p><button type="submit">Filter</button> <a href="{page.Url("/jobs")}">Clear</a></p>
            </form>
            <p id="jobs-live" class="live" role="status" aria-live="polite"></p>
            <div class="table-wrap" role="region" aria-label="The jobs" tabindex="0">
            <table id="jobs" data-events="{page.Url("/jobs/events")}">
            <caption>{jobs.Count} {(jobs.Count == 1 ? "job" : "jobs")}{(more ? $", the newest {MaxRows} shown" : "")}</caption>
            <thead><tr><th scope="col">Job</th><th scope="col">Run id</th><th scope="col">Phase</th><th scope="col">Created</th></tr></thead>
            <tbody>
            {rows}
            </tbody>
            </table>
            </div>
            """);
        return new HtmlPage(page, "Jobs", main, StatusCodes.Status200OK, "jobs.js");
    }
}
