using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Web;

/// <summary>The form that creates a job (the simple-docker-uws parameters), and its POST.</summary>
public static class NewJobPage
{
    /// <summary>What the form held, to show it again with the reason when the job was refused.</summary>
    public sealed record Values(string Image, string Cmd, string Env, string Cores, string Memory, string RunId, bool Run)
    {
        public static readonly Values Empty = new("", "", "", "", "", "", true);
    }

    public static IResult Get(HttpContext http, IOptionsMonitor<JobsOptions> options) =>
        Render(new BrowserContext(http), Values.Empty, null, options.CurrentValue, StatusCodes.Status200OK);

    /// <summary>
    /// POST /web/jobs: the form, checked against its antiforgery token, translated to the UWS parameters
    /// (one cmd per line, one env per line, each file an input named by its file name, the checkbox as
    /// PHASE=RUN) and created exactly as POST /jobs creates; then to the job's page.
    /// </summary>
    public static async Task<IResult> Post(
        HttpContext http, JobCreationBatcher batcher, IOptionsMonitor<JobsOptions> options, IOptionsMonitor<Jobs.Callbacks.CallbackOptions> callbacks,
        TimeProvider clock, CancellationToken ct)
    {
        var page = new BrowserContext(http);
        var o = options.CurrentValue;
        var form = await UwsRequestParameters.ReadAsync(http.Request, o, ct);
        BrowserForms.RequireAntiforgery(http, form);
        var values = new Values(
            form.One("image") ?? "", form.One("cmd") ?? "", form.One("env") ?? "", form.One("cores") ?? "",
            form.One("memory") ?? "", form.One("runid") ?? "", form.One("run") is not null);
        var pairs = new List<KeyValuePair<string, string>> { KeyValuePair.Create("image", values.Image.Trim()) };
        pairs.AddRange(BrowserText.Lines(values.Cmd).Select(a => KeyValuePair.Create("cmd", a)));
        pairs.AddRange(BrowserText.Lines(values.Env).Select(e => KeyValuePair.Create("env", e.Trim())));
        foreach (var (name, value) in new[] { ("cores", values.Cores), ("memory", values.Memory), (JobControl.RunId, values.RunId) })
        {
            if (value.Trim().Length > 0)
            {
                pairs.Add(KeyValuePair.Create(name, value.Trim()));
            }
        }
        if (values.Run)
        {
            pairs.Add(KeyValuePair.Create(JobControl.Phase, "RUN"));
        }
        // A file input left empty still sends a part, with no file name.
        var uploads = form.Files.Where(f => f.FileName.Length > 0).ToList();
        try
        {
            var id = await JobListEndpoints.CreateAsync(
                UwsRequestParameters.From(pairs, uploads), uploads, f => Path.GetFileName(f.FileName), page.Caller, batcher, o, callbacks.CurrentValue, clock, ct);
            return new SeeOther(page.Url("/jobs/" + id));
        }
        catch (UwsRequestException ex) when (ex.StatusCode != StatusCodes.Status401Unauthorized)
        {
            return Render(page, values, ex.Message, o, ex.StatusCode);
        }
    }

    static HtmlPage Render(BrowserContext page, Values v, string? error, JobsOptions o, int status)
    {
        var main = Html.Of($"""
            <h1>New job</h1>
            {Html.When(error is not null, Html.Of($"""<div class="alert" role="alert"><h2>The job was not created</h2><p>{error}</p></div>"""))}
            <form class="job-form" method="post" action="{page.Url("/web/jobs")}" enctype="multipart/form-data">
            {page.AntiforgeryField()}
            <p><label for="image">Image</label>
            <input id="image" name="image" type="text" required autocomplete="off" spellcheck="false" value="{v.Image}" placeholder="executionplanner/busybox:1" aria-describedby="image-help">
            <small id="image-help">A Docker image on this service's engine, matching {string.Join(", ", o.EffectiveAllowedImages)}.</small></p>
            <p><label for="cmd">Command</label>
            <textarea id="cmd" name="cmd" rows="4" spellcheck="false" aria-describedby="cmd-help">{v.Cmd}</textarea>
            <small id="cmd-help">One argument per line, passed to the image's entrypoint as they are, never through a shell. Blank lines are skipped.</small></p>
            <p><label for="env">Environment</label>
            <textarea id="env" name="env" rows="3" spellcheck="false" aria-describedby="env-help">{v.Env}</textarea>
            <small id="env-help">One NAME=value per line.</small></p>
            <div class="row">
            <p><label for="cores">Cores</label>
            <input id="cores" name="cores" type="text" inputmode="decimal" value="{v.Cores}" placeholder="1" aria-describedby="cores-help">
            <small id="cores-help">At most {o.MaxCores}.</small></p>
            <p><label for="memory">Memory</label>
            <input id="memory" name="memory" type="text" value="{v.Memory}" placeholder="512Mi" aria-describedby="memory-help">
            <small id="memory-help">e.g. 512Mi or 2Gi; at most {o.MaxMemory}.</small></p>
            </div>
            <p><label for="uploads">Input files</label>
            <input id="uploads" name="uploads" type="file" multiple aria-describedby="uploads-help">
            <small id="uploads-help">Each file is copied to /uws/inputs/&lt;its file name&gt; before the job starts.</small></p>
            <p><label for="runid">Run id</label>
            <input id="runid" name="runid" type="text" value="{v.RunId}" autocomplete="off"></p>
            <p><label class="check"><input type="checkbox" name="run" value="1"{Html.When(v.Run, Html.Of($" checked"))}> Run at once</label></p>
            <p><button type="submit">Create job</button></p>
            </form>
            """);
        return new HtmlPage(page, "New job", main, status);
    }
}
