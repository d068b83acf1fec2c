namespace ExecutionPlanner.Server.Http;

/// <summary>
/// What <see cref="CallerResolver"/> needs to know of a browser signed in through the browser view: the cookie
/// that carries its bearer token, and whether that cookie may act for this request. It lives here, not in the
/// browser view, so that the shared HTTP plumbing depends on no feature; the browser view sets the cookie and
/// marks a checked form (Web/BrowserSession).
/// </summary>
public static class SignedInBrowser
{
    public const string TokenCookie = "ep_token";

    /// <summary>Marks a request whose form passed the antiforgery check: its cookie may act for a write.</summary>
    const string FormChecked = "ExecutionPlanner.Web.FormChecked";

    public static string? Token(HttpRequest request) =>
        request.Cookies.TryGetValue(TokenCookie, out var token) && token.Length > 0 ? token : null;

    /// <summary>Whether the sign-in cookie may stand for the caller: reads always, writes only after the form check.</summary>
    public static bool MayActFor(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || request.HttpContext.Items.ContainsKey(FormChecked);

    /// <summary>Lets the sign-in cookie act for this request's write: called once the form's antiforgery value was checked.</summary>
    public static void MarkFormChecked(HttpContext context) => context.Items[FormChecked] = true;
}
