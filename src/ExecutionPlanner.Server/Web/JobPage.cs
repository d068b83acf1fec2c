using System.Globalization;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Jobs.Waiting;
using ExecutionPlanner.Server.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExecutionPlanner.Server.Web;

/// <summary>
/// GET /jobs/{id} for a browser: the job's phase and times, parameters, quote, messages, results (as links),
/// stdout, stderr and error, with RUN, ABORT and DELETE buttons. The status section (#job-state) changes by
/// itself (job.js: on a phase event from /jobs/{id}/events it fetches this page again and swaps the section;
/// without events it waits with WAIT, which this page honours like the XML document does).
/// </summary>
public static class JobPage
{
    public static async Task<IResult> RenderAsync(HttpContext http)
    {
        var page = new BrowserContext(http);
        var services = http.RequestServices;
        var db = services.GetRequiredService<UwsDbContext>();
        var ct = http.RequestAborted;
        var jobId = (string)http.GetRouteValue("jobId")!;
        var (job, files) = await JobEndpoints.ReadHonouringWaitAsync(jobId, page.Caller, http.Request,
            services.GetRequiredService<IOptionsMonitor<JobsOptions>>().CurrentValue, db, services.GetRequiredService<WokenJobReader>(),
            services.GetRequiredService<TimeProvider>(), ct);
        var logs = await JobLogTails.ReadAsync(services.GetRequiredService<NpgsqlDataSource>(), jobId, ct);
        var main = Html.Of($"""
            <h1>Job <span class="id">{job.Id}</span></h1>
            <p id="job-live" class="live" role="status" aria-live="polite"></p>
            {State(page, job, files, logs)}
            {Parameters(page, job, files)}
            """);
        return new HtmlPage(page, $"Job {job.Id}", main, StatusCodes.Status200OK, "job.js");
    }

    /// <summary>Everything that changes while the job runs: swapped whole by job.js on a phase change.</summary>
    static Html State(BrowserContext page, JobEntity job, List<JobFileInfo> files, Dictionary<string, JobLogTail> logs)
    {
        var jobPath = "/jobs/" + job.Id;
        var results = files.Where(f => f.Kind == JobFileKind.Result).ToList();
        var facts = Html.Of($"""
            <dl class="facts">
            <div><dt>Phase</dt><dd id="job-phase">{BrowserText.Phase(job.Phase)}</dd></div>
            <div><dt>Run id</dt><dd>{job.RunId ?? "—"}</dd></div>
            <div><dt>Owner</dt><dd>{(job.OwnerId.Length == 0 ? "anonymous" : job.OwnerId)}</dd></div>
            <div><dt>Created</dt><dd>{BrowserText.Time(job.CreationTime)}</dd></div>
            <div><dt>Started</dt><dd>{BrowserText.Time(job.StartTime)}</dd></div>
            <div><dt>Ended</dt><dd>{BrowserText.Time(job.EndTime)}</dd></div>
            <div><dt>Execution duration</dt><dd>{(job.ExecutionDuration == 0 ? "unlimited" : $"{job.ExecutionDuration.ToString(CultureInfo.InvariantCulture)} s")}</dd></div>
            <div><dt>Destruction</dt><dd>{BrowserText.Time(job.Destruction)}</dd></div>
            <div><dt>Quote</dt><dd>{BrowserText.Time(job.Quote)}</dd></div>
            <div><dt>Exit code</dt><dd>{(job.ExitCode is { } code ? code.ToString(CultureInfo.InvariantCulture) : "—")}</dd></div>
            </dl>
            """);
        var error = job.ErrorSummary is null ? Html.Empty : Html.Of($"""
            <section class="error" aria-labelledby="error-h">
            <h2 id="error-h">Error</h2>
            <p>{DisplayText.Clean(job.ErrorSummary)}</p>
            {Html.When(job.ErrorDetail is not null && job.ErrorDetail != job.ErrorSummary,
                Html.Of($"""<pre class="log" tabindex="0" aria-label="Error detail">{DisplayText.Clean(job.ErrorDetail ?? "")}</pre>"""))}
            <p><a href="{page.Url(jobPath + "/error")}">The error as text</a></p>
            </section>
            """);
        var resultList = results.Count == 0
            ? Html.Of($"<p>No results yet.</p>")
            : Html.Of($"""<ul class="results">{Html.Join(results, r => Html.Of($"""<li><a href="{ResultHref(page, job.Id, r.Name)}">{r.Name}</a> <small>{BrowserText.Size(r.Size)}, {r.MimeType}</small></li>"""))}</ul>""");
        var messages = job.Messages.Count == 0
            ? Html.Of($"""<ol id="job-messages" class="messages"></ol>""")
            : Html.Of($"""<ol id="job-messages" class="messages">{Html.Join(job.Messages, m => Html.Of($"<li>{BrowserText.Time(m.Time)} {DisplayText.Clean(m.Text)}</li>"))}</ol>""");
        return Html.Of($"""
            <section id="job-state" aria-labelledby="state-h" data-job-id="{job.Id}" data-phase="{job.Phase}"
                data-active="{(PhaseTransitions.Active.Contains(job.Phase) ? "true" : "false")}"
                data-events="{page.Url(jobPath + "/events")}" data-page="{page.Url(jobPath)}">
            <h2 id="state-h">Status</h2>
            {facts}
            {Actions(page, job)}
            {error}
            <h2>Results</h2>
            {resultList}
            <h2>Messages</h2>
            {messages}
            {Log(page, job.Id, "stdout", "Standard output", logs)}
            {Log(page, job.Id, "stderr", "Standard error", logs)}
            </section>
            """);
    }

    static Html Actions(BrowserContext page, JobEntity job)
    {
        var phaseAction = page.Url($"/web/jobs/{job.Id}/phase");
        return Html.Of($"""
            <div class="actions">
            {Html.When(PhaseTransitions.Runnable.Contains(job.Phase), Html.Of($"""
                <form method="post" action="{phaseAction}">{page.AntiforgeryField()}<input type="hidden" name="PHASE" value="RUN"><button type="submit">Run</button></form>
                """))}
            {Html.When(PhaseTransitions.Abortable.Contains(job.Phase), Html.Of($"""
                <form method="post" action="{phaseAction}">{page.AntiforgeryField()}<input type="hidden" name="PHASE" value="ABORT"><button type="submit">Abort</button></form>
                """))}
            <form method="post" action="{page.Url($"/web/jobs/{job.Id}/delete")}">{page.AntiforgeryField()}<button type="submit" class="danger">Delete</button></form>
            </div>
            """);
    }

    static Html Log(BrowserContext page, string jobId, string name, string title, Dictionary<string, JobLogTail> logs)
    {
        logs.TryGetValue(name, out var tail);
        var note = tail is null ? Html.Empty
            : tail.Cut ? Html.Of($"""<p><small>The last {BrowserText.Size(JobLogTails.MaxBytes)} of {BrowserText.Size(tail.Size)}: <a href="{ResultHref(page, jobId, name)}">all of it</a>.</small></p>""")
            : Html.Empty;
        return Html.Of($"""
            <h2 id="{name}-h">{title}</h2>
            {note}
            <pre id="{name}" class="log" tabindex="0" aria-labelledby="{name}-h">{tail?.Text}</pre>
            """);
    }

    static Html Parameters(BrowserContext page, JobEntity job, List<JobFileInfo> files)
    {
        var inputs = files.Where(f => f.Kind == JobFileKind.Input).ToList();
        var rows = Html.Join(job.Parameters, p => Html.Of($"""<tr><th scope="row">{p.Name}</th><td><code>{p.Value}</code></td></tr>"""));
        var uploads = Html.Join(inputs, f => Html.Of($"""
            <tr><th scope="row">{f.Name}</th><td><a href="{page.Url($"/jobs/{job.Id}/parameters/{Uri.EscapeDataString(f.Name)}")}">uploaded file</a> <small>{BrowserText.Size(f.Size)}, {f.MimeType}</small></td></tr>
            """));
        return Html.Of($"""
            <section aria-labelledby="params-h">
            <h2 id="params-h">Parameters</h2>
            <div class="table-wrap" role="region" aria-label="Parameter table" tabindex="0">
            <table>
            <thead><tr><th scope="col">Name</th><th scope="col">Value</th></tr></thead>
            <tbody>{rows}{uploads}</tbody>
            </table>
            </div>
            </section>
            """);
    }

    static string ResultHref(BrowserContext page, string jobId, string name) =>
        JobLinks.Result(page.Url("/jobs/" + jobId), name);
}
