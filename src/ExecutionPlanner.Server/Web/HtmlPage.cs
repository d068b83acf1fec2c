using System.Text;

namespace ExecutionPlanner.Server.Web;

/// <summary>
/// A page of the browser view: the shared layout (landmarks, navigation, sign-in state) around its main
/// content, with headers that keep it to this server's own scripts and styles and out of caches.
/// </summary>
public sealed class HtmlPage(BrowserContext context, string title, Html main, int statusCode = StatusCodes.Status200OK, params string[] scripts)
    : IResult, IStatusCodeHttpResult
{
    /// <summary>Only this server's files; no inline script or style, no frames, forms only to here.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public int? StatusCode => statusCode;

    public string Title => title;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var body = Encoding.UTF8.GetBytes(Render().Markup);
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = body.Length;
        var headers = response.Headers;
        headers.CacheControl = "no-store";
        headers.Vary = "Accept, Cookie";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        return response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
    }

    Html Render()
    {
        var who = context.SignedInAs is { } owner
            ? Html.Of($"""
                <p>Signed in as <strong>{owner}</strong></p>
                <form method="post" action="{context.Url("/web/signout")}">{context.AntiforgeryField()}<button type="submit">Sign out</button></form>
                """)
            : Html.Of($"""<p>Not signed in</p><p><a href="{context.Url("/web/signin")}">Sign in</a></p>""");
        var scriptTags = Html.Join(scripts, s => Html.Of($"""<script src="{context.Url("/web/assets/" + s)}" defer></script>"""));
        return Html.Of($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{title} · ExecutionPlanner</title>
            <link rel="stylesheet" href="{context.Url("/web/assets/site.css")}">
            {scriptTags}
            </head>
            <body>
            <a class="skip" href="#main">Skip to the content</a>
            <header class="site">
            <p class="brand"><a href="{context.Url("/")}">ExecutionPlanner</a></p>
            <nav aria-label="Main">
            <ul>
            <li><a href="{context.Url("/jobs")}">Jobs</a></li>
            <li><a href="{context.Url("/web/jobs/new")}">New job</a></li>
            <li><a href="{context.Url("/web/planner")}">Planner</a></li>
            <li><a href="{context.Url("/docs")}">API</a></li>
            </ul>
            </nav>
            <div class="who">{who}</div>
            </header>
            <main id="main" tabindex="-1">
            {main}
            </main>
            <footer class="site"><p>A UWS 1.1 job service. Clients that ask for XML get the UWS documents at the same addresses.</p></footer>
            </body>
            </html>
            """);
    }
}
