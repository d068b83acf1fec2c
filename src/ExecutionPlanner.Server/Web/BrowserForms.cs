using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Persistence;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Web;

/// <summary>The browser view's small forms: sign in, sign out, and a job's RUN, ABORT and DELETE buttons.</summary>
public static class BrowserForms
{
    /// <summary>403 unless the form carries this browser's antiforgery value (<see cref="BrowserSession"/>).</summary>
    public static void RequireAntiforgery(HttpContext http, UwsRequestParameters form)
    {
        if (!BrowserSession.CheckAntiforgery(http, form.ValuesOf(BrowserSession.AntiforgeryField).FirstOrDefault()))
        {
            throw UwsRequestException.Forbidden(
                "This form did not come from a page of this service (or the page is older than your last sign-in): reload the page and send it again.");
        }
    }

    public static IResult SignInPage(HttpContext http, string? returnUrl) =>
        RenderSignIn(new BrowserContext(http), LocalPath(returnUrl), null, StatusCodes.Status200OK);

    /// <summary>POST /web/signin: a known token is kept in the HttpOnly cookie, and the browser goes where it was going.</summary>
    public static async Task<IResult> SignIn(HttpContext http, CallerResolver callers, IOptionsMonitor<JobsOptions> options, CancellationToken ct)
    {
        var page = new BrowserContext(http);
        var form = await UwsRequestParameters.ReadAsync(http.Request, options.CurrentValue, ct);
        RequireAntiforgery(http, form);
        var token = form.One("token")?.Trim() ?? "";
        var returnUrl = LocalPath(form.One("return"));
        if (token.Length == 0 || callers.OwnerOf(token) is null)
        {
            return RenderSignIn(page, returnUrl, "This token is not one this service knows.", StatusCodes.Status401Unauthorized);
        }
        BrowserSession.SignIn(http.Response, token);
        return new SeeOther(page.Url(returnUrl));
    }

    public static async Task<IResult> SignOut(HttpContext http, IOptionsMonitor<JobsOptions> options, CancellationToken ct)
    {
        var form = await UwsRequestParameters.ReadAsync(http.Request, options.CurrentValue, ct);
        RequireAntiforgery(http, form);
        BrowserSession.SignOut(http.Response);
        return new SeeOther(new BrowserContext(http).Url("/web/signin"));
    }

    public static async Task<IResult> Phase(
        string jobId, HttpContext http, UwsDbContext db, JobPhaseChanger phases, IHeldJobSlots heldSlots,
        IOptionsMonitor<JobsOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var page = new BrowserContext(http);
        var form = await UwsRequestParameters.ReadAsync(http.Request, options.CurrentValue, ct);
        RequireAntiforgery(http, form);
        var command = form.One(JobControl.Phase)?.Trim().ToUpperInvariant()
            ?? throw UwsRequestException.BadRequest("PHASE is required: RUN or ABORT.");
        await JobPhaseEndpoints.ChangeAsync(jobId, command, page.Caller, db, phases, heldSlots, clock, ct);
        return new SeeOther(page.Url("/jobs/" + jobId));
    }

    public static async Task<IResult> Delete(string jobId, HttpContext http, UwsDbContext db, IOptionsMonitor<JobsOptions> options, CancellationToken ct)
    {
        var page = new BrowserContext(http);
        var form = await UwsRequestParameters.ReadAsync(http.Request, options.CurrentValue, ct);
        RequireAntiforgery(http, form);
        await JobEndpoints.DestroyAsync(db, jobId, page.Caller, ct);
        return new SeeOther(page.Url("/jobs"));
    }

    /// <summary>Only a path on this server (no scheme, no "//host", no backslash trick) may be a return address.</summary>
    public static string LocalPath(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || url[1] is not ('/' or '\\')) && !url.Any(char.IsControl)
            ? url
            : "/jobs";

    static HtmlPage RenderSignIn(BrowserContext page, string returnUrl, string? error, int status)
    {
        var main = Html.Of($"""
            <h1>Sign in</h1>
            {Html.When(error is not null, Html.Of($"""<div class="alert" role="alert"><p>{error}</p></div>"""))}
            <form class="signin" method="post" action="{page.Url("/web/signin")}">
            {page.AntiforgeryField()}
            <input type="hidden" name="return" value="{returnUrl}">
            <p><label for="token">Token</label>
            <input id="token" name="token" type="password" required autocomplete="current-password" spellcheck="false" aria-describedby="token-help">
            <small id="token-help">The bearer token the operator gave you (the one you send as Authorization: Bearer). It is kept in a cookie of this site only, which scripts cannot read.</small></p>
            <p><button type="submit">Sign in</button></p>
            </form>
            """);
        return new HtmlPage(page, "Sign in", main, status);
    }
}
