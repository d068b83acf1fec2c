using System.Security.Cryptography;
using System.Text;
using ExecutionPlanner.Server.Http;

namespace ExecutionPlanner.Server.Web;

/// <summary>
/// The browser's sign-in and its protection against cross-site requests. Signing in stores the caller's
/// bearer token in an HttpOnly, SameSite=Strict cookie (never in a URL), which <see cref="Http.CallerResolver"/>
/// accepts for reads, and for writes only once a form's antiforgery token has been checked here.
/// <para>
/// The antiforgery token is an HMAC, keyed by a random per-browser value kept in a second HttpOnly
/// SameSite=Strict cookie, of the signed-in token: another site can neither send these cookies (SameSite)
/// nor compute the form value (it knows neither). It needs no server-side state and no shared key ring,
/// so a form rendered by one node is accepted by every other (ASP.NET's antiforgery would need a Data
/// Protection key ring shared by all nodes).
/// </para>
/// </summary>
public static class BrowserSession
{
    public const string TokenCookie = SignedInBrowser.TokenCookie;
    public const string AntiforgeryCookie = "ep_af";
    public const string AntiforgeryField = "_antiforgery";

    public static string? Token(HttpRequest request) => SignedInBrowser.Token(request);

    public static void SignIn(HttpResponse response, string token) =>
        response.Cookies.Append(TokenCookie, token, Options(response.HttpContext.Request));

    public static void SignOut(HttpResponse response) =>
        response.Cookies.Delete(TokenCookie, Options(response.HttpContext.Request));

    /// <summary>The form value for the page being rendered; sets the per-browser key first if the browser has none.</summary>
    public static string AntiforgeryToken(HttpContext context)
    {
        if (context.Items[AntiforgeryCookie] is not string key)
        {
            if (!context.Request.Cookies.TryGetValue(AntiforgeryCookie, out var existing) || existing.Length < 32)
            {
                key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
                context.Response.Cookies.Append(AntiforgeryCookie, key, Options(context.Request));
            }
            else
            {
                key = existing;
            }
            context.Items[AntiforgeryCookie] = key;
        }
        return Expected(key, context.Items[TokenCookie] as string ?? Token(context.Request));
    }

    /// <summary>
    /// Checks a posted form's antiforgery value against the browser's cookies, and on success lets the
    /// sign-in cookie act for this request. A page rendered after signing in carries the new token's value.
    /// </summary>
    public static bool CheckAntiforgery(HttpContext context, string? posted)
    {
        if (posted is null || !context.Request.Cookies.TryGetValue(AntiforgeryCookie, out var key) || key.Length < 32)
        {
            return false;
        }
        var expected = Encoding.ASCII.GetBytes(Expected(key, Token(context.Request)));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(posted)))
        {
            return false;
        }
        SignedInBrowser.MarkFormChecked(context);
        return true;
    }

    /// <summary>After signing in or out, pages rendered in the same response use the new token.</summary>
    public static void UseToken(HttpContext context, string? token) => context.Items[TokenCookie] = token ?? string.Empty;

    static string Expected(string key, string? token) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes("ep-form:" + token)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static CookieOptions Options(HttpRequest request) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = "/",
        IsEssential = true,
    };
}
