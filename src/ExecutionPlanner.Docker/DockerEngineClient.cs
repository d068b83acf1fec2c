using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExecutionPlanner.Docker;

/// <summary>
/// A small Docker Engine API client over a unix socket or plain tcp. It negotiates the API version
/// on first use and never hijacks connections (no attach, no exec): output comes from logs + wait.
/// Thread-safe; one instance per engine.
/// </summary>
public sealed partial class DockerEngineClient : IDisposable
{
    /// <summary>The oldest API version we speak (Docker 20.10).</summary>
    public static readonly Version MinimumApiVersion = new(1, 41);

    /// <summary>The newest API version we speak (Docker 27).</summary>
    public static readonly Version NewestApiVersion = new(1, 47);

    private const int MaxErrorBodyLength = 64 * 1024;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        // The engine's Go decoder matches names case-insensitively, and its answers mix "OOMKilled" with "Id".
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient http;
    private readonly DockerEngineOptions options;
    private readonly TimeProvider timeProvider;
    private readonly SemaphoreSlim negotiation = new(1, 1);
    private volatile Version? apiVersion;

    public DockerEngineClient(DockerEngineOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        this.timeProvider = timeProvider ?? TimeProvider.System;
        var handler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) };
        Uri baseAddress;
        switch (options.Endpoint.Scheme)
        {
            case "unix":
                var socketPath = options.Endpoint.AbsolutePath;
                handler.ConnectCallback = (_, ct) => ConnectUnixSocketAsync(socketPath, ct);
                // The host name is never resolved: every connection goes to the socket.
                baseAddress = new Uri("http://docker.sock/");
                break;
            case "tcp":
            case "http":
                baseAddress = new UriBuilder(Uri.UriSchemeHttp, options.Endpoint.Host, options.Endpoint.Port).Uri;
                break;
            default:
                handler.Dispose();
                throw new ArgumentException(
                    $"Unsupported Docker endpoint '{options.Endpoint}': use unix://, tcp:// or http://.", nameof(options));
        }
        // Per-request deadlines come from linked tokens; wait, stop and followed logs must not time out at all.
        http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The API version agreed with the engine, or null before the first call.</summary>
    public Version? ApiVersion => apiVersion;

    public Uri Endpoint => options.Endpoint;

    /// <summary>
    /// Asks the engine for its versions and chooses ours: min(<see cref="NewestApiVersion"/>, engine's newest).
    /// Throws <see cref="DockerEngineVersionException"/> when the ranges do not overlap.
    /// </summary>
    public async Task<DockerVersionInfo> ConnectAsync(CancellationToken cancellationToken)
    {
        await negotiation.WaitAsync(cancellationToken);
        try
        {
            return await NegotiateAsync(cancellationToken);
        }
        finally
        {
            negotiation.Release();
        }
    }

    /// <summary><c>GET /_ping</c> after negotiating; returns the negotiated API version (for readiness checks).</summary>
    public async Task<Version> PingAsync(CancellationToken cancellationToken)
    {
        var version = await EnsureApiVersionAsync(cancellationToken);
        using var response = await SendAsync(
            new DockerRequest(HttpMethod.Get, "/_ping", "ping") { Unversioned = true }, cancellationToken);
        return version;
    }

    /// <summary>
    /// Sends one request and returns the response with its headers read; the caller disposes it.
    /// Error statuses (other than <see cref="DockerRequest.AcceptedStatuses"/>) become <see cref="DockerApiException"/>s.
    /// The request timeout covers the call up to the response headers.
    /// </summary>
    public Task<HttpResponseMessage> SendAsync(DockerRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return WithDeadlineAsync(request, token => SendCoreAsync(request, token), cancellationToken);
    }

    public void Dispose()
    {
        http.Dispose();
        negotiation.Dispose();
    }

    internal Task<T> SendJsonAsync<T>(DockerRequest request, CancellationToken cancellationToken) =>
        WithDeadlineAsync(request, async token =>
        {
            using var response = await SendCoreAsync(request, token);
            return await response.Content.ReadFromJsonAsync<T>(Json, token)
                ?? throw new DockerApiException(request.Operation, response.StatusCode, "the engine answered with an empty body");
        }, cancellationToken);

    /// <summary>For calls whose answer is only the status: returns it after draining the body.</summary>
    internal Task<HttpStatusCode> SendForStatusAsync(DockerRequest request, CancellationToken cancellationToken) =>
        WithDeadlineAsync(request, async token =>
        {
            using var response = await SendCoreAsync(request, token);
            await response.Content.LoadIntoBufferAsync(token);
            return response.StatusCode;
        }, cancellationToken);

    internal static JsonContent JsonBody<T>(T value) => JsonContent.Create(value, options: Json);

    internal static string Escape(string value) => Uri.EscapeDataString(value);

    private static async ValueTask<Stream> ConnectUnixSocketAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // The socket error says more than HttpClient's wrapper, whose message names the fake host "docker.sock:80".
    private string DescribeConnectFailure(HttpRequestException ex)
    {
        if (options.Endpoint.Scheme == "unix" && !File.Exists(options.Endpoint.AbsolutePath))
        {
            return $"the socket {options.Endpoint.AbsolutePath} does not exist (is dockerd running?)";
        }
        return ex.InnerException is SocketException socketError ? socketError.Message : ex.Message;
    }

    private static Version ChooseApiVersion(DockerVersionInfo info)
    {
        if (!Version.TryParse(info.ApiVersion, out var engineNewest))
        {
            throw new DockerEngineVersionException($"The Docker engine reported an unreadable API version '{info.ApiVersion}'.");
        }
        var engineOldest = Version.TryParse(info.MinApiVersion, out var parsed) ? parsed : engineNewest;
        if (engineNewest < MinimumApiVersion)
        {
            throw new DockerEngineVersionException(
                $"Docker engine {info.Version} speaks API {engineNewest} at most; this client needs at least {MinimumApiVersion}. Upgrade the engine.");
        }
        if (engineOldest > NewestApiVersion)
        {
            throw new DockerEngineVersionException(
                $"Docker engine {info.Version} requires API {engineOldest} or newer; this client speaks at most {NewestApiVersion}.");
        }
        return engineNewest < NewestApiVersion ? engineNewest : NewestApiVersion;
    }

    private async ValueTask<Version> EnsureApiVersionAsync(CancellationToken cancellationToken)
    {
        if (apiVersion is { } known)
        {
            return known;
        }
        await negotiation.WaitAsync(cancellationToken);
        try
        {
            // Another caller may have negotiated while this one waited for the lock.
            if (apiVersion is null)
            {
                await NegotiateAsync(cancellationToken);
            }
            return apiVersion ?? throw new DockerEngineVersionException("API version negotiation did not complete.");
        }
        finally
        {
            negotiation.Release();
        }
    }

    private async Task<DockerVersionInfo> NegotiateAsync(CancellationToken cancellationToken)
    {
        var info = await SendJsonAsync<DockerVersionInfo>(
            new DockerRequest(HttpMethod.Get, "/version", "version") { Unversioned = true }, cancellationToken);
        apiVersion = ChooseApiVersion(info);
        return info;
    }

    /// <summary>
    /// Runs <paramref name="call"/> with the request timeout linked to the caller's token, and reports an
    /// expired timeout as <see cref="TimeoutException"/> (a cancelled caller still gets OperationCanceledException).
    /// </summary>
    private async Task<T> WithDeadlineAsync<T>(
        DockerRequest request, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        if (request.WithoutTimeout)
        {
            return await call(cancellationToken);
        }
        using var timeout = new CancellationTokenSource(options.RequestTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await call(linked.Token);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Docker {request.Operation} did not answer within {options.RequestTimeout.TotalSeconds:0.###} s ({options.Endpoint}).", ex);
        }
    }

    private async Task<HttpResponseMessage> SendCoreAsync(DockerRequest request, CancellationToken cancellationToken)
    {
        var prefix = request.Unversioned ? "" : $"/v{await EnsureApiVersionAsync(cancellationToken)}";
        var uri = prefix + request.Path + (string.IsNullOrEmpty(request.Query) ? "" : "?" + request.Query);
        using var message = new HttpRequestMessage(request.Method, new Uri(uri, UriKind.Relative)) { Content = request.Content };

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            throw new DockerEngineUnavailableException(options.Endpoint, DescribeConnectFailure(ex), ex);
        }

        if (response.IsSuccessStatusCode || request.AcceptedStatuses.Contains(response.StatusCode))
        {
            return response;
        }
        using (response)
        {
            var engineMessage = await ReadErrorMessageAsync(response, cancellationToken);
            throw MapError(request, response.StatusCode, engineMessage);
        }
    }

    internal static async Task<string> ReadErrorMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await ReadBoundedTextAsync(response.Content, cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var text)
                && text.ValueKind == JsonValueKind.String)
            {
                return text.GetString() ?? "";
            }
        }
        catch (JsonException)
        {
            // Not every error body is JSON (proxies, very old engines): fall back to the raw text.
        }
        return body.Trim();
    }

    private static async Task<string> ReadBoundedTextAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxErrorBodyLength];
        var length = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
    }

    private DockerEngineException MapError(DockerRequest request, HttpStatusCode status, string engineMessage)
    {
        var operation = request.Operation;
        if (status == HttpStatusCode.BadRequest && IsVersionRejection(engineMessage))
        {
            // The engine changed under us (upgraded or downgraded): negotiate again on the next call.
            var rejected = apiVersion;
            apiVersion = null;
            return new DockerEngineVersionException(
                $"Docker {operation} was rejected for API version {rejected}: {engineMessage} (it will be renegotiated on the next call).");
        }
        return status switch
        {
            HttpStatusCode.NotFound when request.NotFoundMeans == DockerResourceKind.Image =>
                new DockerImageNotFoundException(operation, status, engineMessage),
            HttpStatusCode.NotFound when request.NotFoundMeans == DockerResourceKind.Container =>
                new DockerContainerNotFoundException(operation, status, engineMessage),
            HttpStatusCode.Conflict => new DockerConflictException(operation, status, engineMessage),
            _ => new DockerApiException(operation, status, engineMessage),
        };
    }

    private static bool IsVersionRejection(string engineMessage) =>
        engineMessage.Contains("client version", StringComparison.OrdinalIgnoreCase)
        && (engineMessage.Contains("too old", StringComparison.OrdinalIgnoreCase)
            || engineMessage.Contains("too new", StringComparison.OrdinalIgnoreCase));
}
