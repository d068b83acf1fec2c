using Microsoft.Net.Http.Headers;

namespace ExecutionPlanner.Server.Web;

/// <summary>
/// Who gets the browser view: a client that ranks text/html above XML in its Accept header, as browsers
/// do (text/html, then application/xml;q=0.9, then */*;q=0.8). curl's and pyvo's */*, text/*, a missing
/// Accept and every UWS client that names XML keep getting the UWS documents.
/// </summary>
public static class BrowserRequests
{
    public static bool PrefersHtml(HttpRequest request)
    {
        var accept = request.Headers.Accept;
        if (accept.Count == 0 || !MediaTypeHeaderValue.TryParseList(accept, out var ranges) || ranges.Count == 0)
        {
            return false;
        }
        var html = Quality(ranges, "text", "html");
        return html > 0 && html > Quality(ranges, "text", "xml") && html > Quality(ranges, "application", "xml");
    }

    /// <summary>The quality the most specific matching range gives a media type (RFC 9110 §12.5.1); 0 when none matches.</summary>
    static double Quality(IList<MediaTypeHeaderValue> ranges, string type, string subType)
    {
        var best = -1;
        double quality = 0;
        foreach (var range in ranges)
        {
            var specificity = range.MediaType.Equals($"{type}/{subType}", StringComparison.OrdinalIgnoreCase) ? 2
                : range.Type.Equals(type, StringComparison.OrdinalIgnoreCase) && range.SubType.Equals("*", StringComparison.Ordinal) ? 1
                : range.MediaType.Equals("*/*", StringComparison.Ordinal) ? 0
                : -1;
            if (specificity > best)
            {
                best = specificity;
                quality = range.Quality ?? 1;
            }
        }
        return best < 0 ? 0 : quality;
    }
}
