using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;

namespace ExecutionPlanner.Server.Http;

/// <summary>Plain-text answers: the bare atomic values of UWS (no trailing newline) and error messages.</summary>
public static class PlainText
{
    public static ContentHttpResult Value(string value) => TypedResults.Text(value, "text/plain; charset=utf-8");

    public static ContentHttpResult Error(int statusCode, string message) =>
        TypedResults.Text(message, "text/plain; charset=utf-8", statusCode: statusCode);

    /// <summary>
    /// The text of an error answer that nothing else wrote a body for (routing's 404 for an unknown
    /// path and 405 for a method a resource does not take), so every 4xx says what was wrong.
    /// </summary>
    public static Task StatusMessage(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var message = http.Response.StatusCode switch
        {
            StatusCodes.Status404NotFound => $"There is no resource at {http.Request.Path}.",
            StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed on {http.Request.Path}.",
            var code => $"{code} {ReasonPhrases.GetReasonPhrase(code)}",
        };
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(message, http.RequestAborted);
    }
}
