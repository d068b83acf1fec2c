using ExecutionPlanner.Server.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// The parameters of a UWS request, from the query string and a form body together (clients send
/// POST …/phase?PHASE=RUN with an empty body, checklist F.40). Names are case-insensitive (DALI §3.1);
/// order is kept, because repeated parameters such as cmd are ordered.
/// </summary>
public sealed class UwsRequestParameters
{
    readonly List<KeyValuePair<string, string>> pairs;

    UwsRequestParameters(List<KeyValuePair<string, string>> pairs, IReadOnlyList<IFormFile> files)
    {
        this.pairs = pairs;
        Files = files;
    }

    public IReadOnlyList<KeyValuePair<string, string>> Pairs => pairs;

    public IReadOnlyList<IFormFile> Files { get; }

    public IEnumerable<string> ValuesOf(string name) =>
        pairs.Where(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(p => p.Value);

    /// <summary>The one value of a parameter, or null when absent; 400 when given twice with different values.</summary>
    public string? One(string name)
    {
        var values = ValuesOf(name).Distinct(StringComparer.Ordinal).ToList();
        return values.Count switch
        {
            0 => null,
            1 => values[0],
            _ => throw UwsRequestException.BadRequest($"{name.ToUpperInvariant()} was given {values.Count} times with different values."),
        };
    }

    public static UwsRequestParameters FromQuery(HttpRequest request) => new(Checked(QueryPairs(request)), []);

    /// <summary>Parameters put together by the server (the browser view's form, translated), checked like a request's.</summary>
    internal static UwsRequestParameters From(IEnumerable<KeyValuePair<string, string>> pairs, IReadOnlyList<IFormFile> files) =>
        new(Checked(pairs.ToList()), files);

    public static async Task<UwsRequestParameters> ReadAsync(HttpRequest request, JobsOptions limits, CancellationToken ct)
    {
        var pairs = QueryPairs(request);
        IReadOnlyList<IFormFile> files = [];
        LimitBody(request, limits);
        if (request.HasFormContentType)
        {
            var form = await ReadFormAsync(request, limits, ct);
            foreach (var (key, values) in form)
            {
                pairs.AddRange(values.Select(v => KeyValuePair.Create(key, v ?? string.Empty)));
            }
            files = form.Files;
        }
        else if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            throw new UwsRequestException(StatusCodes.Status415UnsupportedMediaType,
                "Send parameters as application/x-www-form-urlencoded or multipart/form-data.");
        }
        if (pairs.Count > limits.MaxParameterCount)
        {
            throw UwsRequestException.BadRequest($"Too many parameters: {pairs.Count}; at most {limits.MaxParameterCount} are allowed.");
        }
        var tooLong = pairs.FirstOrDefault(p => p.Value.Length > limits.MaxParameterValueLength);
        if (tooLong.Key is not null)
        {
            throw UwsRequestException.BadRequest(
                $"Parameter '{tooLong.Key}' is {tooLong.Value.Length} characters long; at most {limits.MaxParameterValueLength} are allowed.");
        }
        return new UwsRequestParameters(Checked(pairs), files);
    }

    /// <summary>
    /// Jobs:MaxUploadBytes bounds the whole body, whatever its type (README: larger gets 413): a declared
    /// length over it is refused before reading, and Kestrel stops a chunked body at it.
    /// </summary>
    static void LimitBody(HttpRequest request, JobsOptions limits)
    {
        if (request.ContentLength > limits.MaxUploadBytes)
        {
            throw new UwsRequestException(StatusCodes.Status413PayloadTooLarge,
                $"The request body is {request.ContentLength} bytes; at most {limits.MaxUploadBytes} are accepted (Jobs:MaxUploadBytes).");
        }
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limits.MaxUploadBytes;
        }
    }

    /// <summary>
    /// Every name and value a request carries may end up in a UWS document, in PostgreSQL, or in an
    /// error message: refuse at once what XML 1.0 (and PostgreSQL text) cannot hold (<see cref="XmlCharacters"/>).
    /// </summary>
    static List<KeyValuePair<string, string>> Checked(List<KeyValuePair<string, string>> pairs)
    {
        foreach (var (key, value) in pairs)
        {
            XmlCharacters.Check("A parameter name", key);
            XmlCharacters.Check($"Parameter '{key}'", value);
        }
        return pairs;
    }

    static async Task<IFormCollection> ReadFormAsync(HttpRequest request, JobsOptions limits, CancellationToken ct)
    {
        var formFeature = new FormFeature(request, new FormOptions
        {
            MultipartBodyLengthLimit = limits.MaxUploadBytes,
            ValueLengthLimit = limits.MaxParameterValueLength,
            ValueCountLimit = limits.MaxParameterCount,
            KeyLengthLimit = 256,
            MultipartHeadersLengthLimit = 16 * 1024,
        });
        try
        {
            return await formFeature.ReadFormAsync(ct);
        }
        catch (InvalidDataException ex)
        {
            // Thrown for malformed bodies and for the limits above. Only the body as a whole being too
            // big is 413; a too long value or too many values is a bad request (Jobs:MaxParameterValueLength).
            var status = ex.Message.Contains("body length limit", StringComparison.OrdinalIgnoreCase)
                ? StatusCodes.Status413PayloadTooLarge
                : StatusCodes.Status400BadRequest;
            throw new UwsRequestException(status, $"The request body could not be read as a form: {ex.Message}");
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own refusals, such as 413 for a body over the limit set in LimitBody. It derives
            // from IOException, so it must be caught first to keep its status.
            throw new UwsRequestException(ex.StatusCode, $"The request body could not be read: {ex.Message}");
        }
        catch (IOException ex) when (!ct.IsCancellationRequested)
        {
            throw UwsRequestException.BadRequest($"The request body could not be read: {ex.Message}");
        }
    }

    static List<KeyValuePair<string, string>> QueryPairs(HttpRequest request)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var (key, values) in request.Query)
        {
            pairs.AddRange(values.Select(v => KeyValuePair.Create(key, v ?? string.Empty)));
        }
        return pairs;
    }
}
