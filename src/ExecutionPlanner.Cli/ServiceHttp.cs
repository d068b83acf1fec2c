using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using ExecutionPlanner.Cli.Auth;

namespace ExecutionPlanner.Cli;

/// <summary>
/// The one HTTP client of a command: adds the bearer token for each URL, never follows redirects by itself
/// (UWS answers 303 and a followed redirect would drop the Authorization header), and turns transport failures
/// into one readable sentence.
/// </summary>
internal sealed class ServiceHttp : IDisposable
{
    readonly HttpClient client;

    public ServiceHttp(TokenSource tokens)
    {
        Tokens = tokens;
        // No client-wide timeout: WAIT blocks for long; each caller bounds its own request with a token.
        client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ep", "0.1"));
    }

    public TokenSource Tokens { get; }

    /// <param name="withToken">False for a URL that a service named rather than the user (a result stored on another host):
    /// a token given for the user's services is not handed to whoever a service points at.</param>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct, bool withToken = true)
    {
        if (withToken && Tokens.For(request.RequestUri!) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        try
        {
            return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException($"{Origin(request.RequestUri!)}: {Describe(ex)}", ex);
        }
    }

    /// <summary>Send and read the whole body as text; a status outside 2xx/3xx becomes a CliException saying what the service said.</summary>
    public async Task<(HttpResponseMessage Response, string Body)> SendForTextAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var response = await SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if ((int)response.StatusCode >= 400)
        {
            var status = response.StatusCode;
            response.Dispose();
            throw new CliException($"{Origin(request.RequestUri!)} answered {(int)status} ({status}){Why(status)}: {Tokens.Redact(Shorten(body))}");
        }
        return (response, body);
    }

    public static string Origin(Uri url) => url.GetLeftPart(UriPartial.Path);

    /// <summary>What a status usually means for a person with a token.</summary>
    public static string Why(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized => ", the token was refused or none was given (--token, EP_TOKEN or the config file)",
        HttpStatusCode.Forbidden => ", not allowed with this token or in this phase",
        HttpStatusCode.NotFound => ", no such resource (a wrong URL, or a job destroyed or of another owner)",
        _ => "",
    };

    public static string Describe(HttpRequestException ex) => ex.InnerException switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "cannot connect (connection refused: is the service running?)",
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData } => "unknown host name",
        SocketException s => $"network error ({s.SocketErrorCode})",
        IOException => "the connection was closed before an answer came",
        _ => ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "unknown host name",
            HttpRequestError.ConnectionError => "cannot connect",
            HttpRequestError.SecureConnectionError => "TLS failed (certificate or protocol)",
            HttpRequestError.ResponseEnded => "the connection was closed before an answer came",
            HttpRequestError.InvalidResponse => "answered something that is not HTTP",
            _ => ex.Message,
        },
    };

    /// <summary>The first line of a body, cut to a readable length (an HTML error page is not a message).</summary>
    public static string Shorten(string body)
    {
        var text = body.Trim();
        if (text.StartsWith('<') && text.Contains("<html", StringComparison.OrdinalIgnoreCase))
        {
            return "(an HTML page)";
        }
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length > 200 ? line[..200] + "…" : line.Length == 0 ? "(no message)" : line;
    }

    public void Dispose() => client.Dispose();
}
