using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Web;

/// <summary>
/// A refused browser request as a page: 401 sends the browser to the sign-in form (and back afterwards),
/// every other 4xx is a page that says what was wrong, as the API's plain-text message does.
/// </summary>
public static class BrowserErrors
{
    public static IResult Page(HttpContext http, int statusCode, string message)
    {
        var page = new BrowserContext(http);
        if (statusCode == StatusCodes.Status401Unauthorized)
        {
            var back = HttpMethods.IsGet(http.Request.Method) ? $"{http.Request.Path}{http.Request.QueryString}" : "/jobs";
            return new SeeOther(page.Url("/web/signin?return=" + Uri.EscapeDataString(back)));
        }
        var title = statusCode switch
        {
            StatusCodes.Status404NotFound => "Not found",
            StatusCodes.Status403Forbidden => "Not allowed",
            StatusCodes.Status409Conflict => "Conflict",
            _ => "Not possible",
        };
        var main = Html.Of($"""
            <h1>{title}</h1>
            <div class="alert" role="alert"><p>{message}</p></div>
            <p><a href="{page.Url("/jobs")}">Back to the jobs</a></p>
            """);
        return new HtmlPage(page, title, main, statusCode);
    }

    /// <summary>Endpoint filter for the browser routes: refusals become pages, never plain text or a 500.</summary>
    public sealed class Filter : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            try
            {
                return await next(context);
            }
            catch (UwsRequestException ex)
            {
                return Page(context.HttpContext, ex.StatusCode, ex.Message);
            }
            catch (BadHttpRequestException ex)
            {
                return Page(context.HttpContext, ex.StatusCode, $"Malformed request: {ex.Message}");
            }
        }
    }

    /// <summary>
    /// The HTML branch beside an XML endpoint: a browser gets <paramref name="page"/>; every other client
    /// goes on to the endpoint, whose code and answers do not change.
    /// </summary>
    public sealed class BrowserBranch(Func<HttpContext, Task<IResult>> page) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            if (!BrowserRequests.PrefersHtml(context.HttpContext.Request))
            {
                return await next(context);
            }
            try
            {
                return await page(context.HttpContext);
            }
            catch (UwsRequestException ex)
            {
                return Page(context.HttpContext, ex.StatusCode, ex.Message);
            }
        }
    }
}
