using ExecutionPlanner.Server.Http;

namespace ExecutionPlanner.Server.Web;

/// <summary>What every page needs to know about the request: who is signed in, links under the path base, the form token.</summary>
public sealed class BrowserContext(HttpContext http)
{
    public HttpContext Http { get; } = http;

    public HttpRequest Request => Http.Request;

    /// <summary>The caller the page acts for (the API's owner rules); 401 (handled as a sign-in redirect) when nobody may.</summary>
    public Caller Caller => caller ??= Http.RequestServices.GetRequiredService<CallerResolver>().Resolve(Request);

    Caller? caller;

    /// <summary>The owner named in the page header, or null for the anonymous owner (or a page shown before sign-in).</summary>
    public string? SignedInAs =>
        (Http.Items[BrowserSession.TokenCookie] as string ?? BrowserSession.Token(Request)) is { Length: > 0 } token
            ? Http.RequestServices.GetRequiredService<CallerResolver>().OwnerOf(token)
            : null;

    /// <summary>A link to a path of this server, under its path base.</summary>
    public string Url(string path) => $"{Request.PathBase}{path}";

    public Html AntiforgeryField() =>
        Html.Of($"<input type=\"hidden\" name=\"{BrowserSession.AntiforgeryField}\" value=\"{BrowserSession.AntiforgeryToken(Http)}\">");
}
