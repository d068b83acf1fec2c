using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Web;

/// <summary>
/// The browser view: HTML pages beside the UWS documents. /, /jobs and /jobs/{id} answer a browser (text/html
/// ranked above XML) with a page and every other client exactly as before; the forms and assets live under /web.
/// </summary>
public static class BrowserApi
{
    public const string Tag = "Browser";

    /// <summary>Call after routing, before the endpoints run.</summary>
    public static WebApplication MapBrowser(this WebApplication app)
    {
        app.Use(SandboxStoredFiles);
        app.MapGet("/", Home).AddEndpointFilter<BrowserErrors.Filter>().WithTags(Tag);
        var web = app.MapGroup("/web").AddEndpointFilter<BrowserErrors.Filter>().WithTags(Tag);
        web.MapGet("/signin", BrowserForms.SignInPage);
        web.MapPost("/signin", BrowserForms.SignIn);
        web.MapPost("/signout", BrowserForms.SignOut);
        web.MapGet("/jobs/new", NewJobPage.Get);
        web.MapPost("/jobs", NewJobPage.Post);
        web.MapPost("/jobs/{jobId}/phase", BrowserForms.Phase);
        web.MapPost("/jobs/{jobId}/delete", BrowserForms.Delete);
        web.MapGet("/planner", PlannerPages.Get);
        web.MapPost("/planner/offersets", PlannerPages.Ask);
        web.MapGet("/planner/offersets/{offerSetId}", PlannerPages.OfferSet);
        web.MapPost("/planner/offers/{offerId}/accept", PlannerPages.AcceptOffer);
        web.MapGet("/assets/{name}", BrowserAssets.Get);
        return app;
    }

    /// <summary>Pages for browsers at /jobs and /jobs/{id}, in place of the UWS documents (XML for every other client).</summary>
    public static JobRoutes WithBrowserViews(this JobRoutes routes)
    {
        routes.JobList.WithBrowserView(JobListPage.RenderAsync);
        routes.Job.WithBrowserView(JobPage.RenderAsync);
        return routes;
    }

    /// <summary>Serves <paramref name="page"/> to browsers on an XML endpoint (see <see cref="BrowserErrors.BrowserBranch"/>).</summary>
    public static RouteHandlerBuilder WithBrowserView(this RouteHandlerBuilder endpoint, Func<HttpContext, Task<IResult>> page) =>
        endpoint.AddEndpointFilter(new BrowserErrors.BrowserBranch(page));

    /// <summary>/ has no UWS document: a browser gets the start page, other clients the 404 they always got.</summary>
    static IResult Home(HttpContext http)
    {
        if (!BrowserRequests.PrefersHtml(http.Request))
        {
            return PlainText.Error(StatusCodes.Status404NotFound, $"There is no resource at {http.Request.Path}.");
        }
        var page = new BrowserContext(http);
        var main = Html.Of($"""
            <h1>ExecutionPlanner</h1>
            <p>This service runs each job as a Docker container (UWS 1.1), and its planner answers "can you run this task, when, and with what?" with offers.</p>
            <ul class="cards">
            <li><a href="{page.Url("/jobs")}">Your jobs</a>: their phases, results and logs.</li>
            <li><a href="{page.Url("/web/jobs/new")}">A new job</a>: an image, a command, inputs.</li>
            <li><a href="{page.Url("/web/planner")}">The planner</a>: describe a task, take an offer.</li>
            <li><a href="{page.Url("/docs")}">The API</a>: what scripts and UWS clients call.</li>
            </ul>
            """);
        return new HtmlPage(page, "Start", main);
    }

    /// <summary>
    /// Results and uploads are whatever a job or its owner wrote, served with the type they came with: in a
    /// browser an HTML result must not run scripts as this site (with the owner's cookie), so it is sandboxed.
    /// Headers only; the bytes are unchanged.
    /// </summary>
    static Task SandboxStoredFiles(HttpContext context, Func<Task> next)
    {
        var path = context.Request.Path.Value ?? "";
        if (path.StartsWith(JobLinks.JobListPath + "/", StringComparison.Ordinal)
            && (path.Contains("/results/", StringComparison.Ordinal) || path.Contains("/parameters/", StringComparison.Ordinal)))
        {
            context.Response.OnStarting(() =>
            {
                context.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
                context.Response.Headers.XContentTypeOptions = "nosniff";
                return Task.CompletedTask;
            });
        }
        return next();
    }
}
