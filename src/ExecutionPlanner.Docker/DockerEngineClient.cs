using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.NativeHttp;
using LibraryApiException = Docker.DotNet.DockerApiException;

namespace ExecutionPlanner.Docker;

/// <summary>
/// The server's Docker engine adapter, on Docker.DotNet.Enhanced. It negotiates the API version on first
/// use (the library does not) and maps the library's exceptions to ours; no library type leaves this project.
/// It never hijacks connections (no attach, no exec): output comes from logs + wait. Thread-safe; one
/// instance per engine.
/// </summary>
public sealed partial class DockerEngineClient : IDisposable
{
    /// <summary>The oldest API version we speak (Docker 20.10).</summary>
    public static readonly Version MinimumApiVersion = new(1, 41);

    /// <summary>
    /// The newest API version we speak: the one Docker.DotNet.Enhanced 4.3.3's models are generated from
    /// (Docker 29.4, see its DOCKER_API_VERSION_MATRIX.md). Raise it with the package.
    /// </summary>
    public static readonly Version NewestApiVersion = new(1, 54);

    private readonly DockerEngineOptions options;
    private readonly TimeProvider timeProvider;
    private readonly SemaphoreSlim negotiation = new(1, 1);

    // Only /version goes through the unversioned client: the engine answers it whatever version we would pick.
    private readonly DockerClient unversioned;

    // Clients replaced by a renegotiation stay open until Dispose: calls in flight may still be using them.
    private readonly List<DockerClient> retired = [];
    private Negotiated? current; // read and written through Volatile/Interlocked

    public DockerEngineClient(DockerEngineOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoint.Scheme is not ("unix" or "tcp" or "http"))
        {
            throw new ArgumentException(
                $"Unsupported Docker endpoint '{options.Endpoint}': use unix://, tcp:// or http://.", nameof(options));
        }
        this.options = options;
        this.timeProvider = timeProvider ?? TimeProvider.System;
        unversioned = Build(null);
        diskUsageHttp = new Lazy<HttpClient>(CreateDiskUsageHttp);
    }

    /// <summary>The API version agreed with the engine, or null before the first call.</summary>
    public Version? ApiVersion => Volatile.Read(ref current)?.Version;

    public Uri Endpoint => options.Endpoint;

    /// <summary>
    /// Asks the engine for its versions (unversioned <c>/version</c>) and chooses ours:
    /// min(<see cref="NewestApiVersion"/>, engine's newest). Throws <see cref="DockerEngineVersionException"/>
    /// when the ranges do not overlap.
    /// </summary>
    public async Task<DockerVersionInfo> ConnectAsync(CancellationToken cancellationToken)
    {
        return await WithDeadlineAsync("version", withoutTimeout: false, async token =>
        {
            await negotiation.WaitAsync(token);
            try
            {
                return await NegotiateAsync(token);
            }
            finally
            {
                negotiation.Release();
            }
        }, cancellationToken);
    }

    /// <summary><c>GET /_ping</c> after negotiating; returns the negotiated API version (for readiness checks).</summary>
    public async Task<Version> PingAsync(CancellationToken cancellationToken)
    {
        await CallAsync("ping", DockerResourceKind.None, (docker, ct) => docker.System.PingAsync(ct), cancellationToken);
        return ApiVersion ?? throw new DockerEngineVersionException("API version negotiation did not complete.");
    }

    public void Dispose()
    {
        Volatile.Read(ref current)?.Client.Dispose();
        foreach (var client in retired)
        {
            client.Dispose();
        }
        unversioned.Dispose();
        if (diskUsageHttp.IsValueCreated)
        {
            diskUsageHttp.Value.Dispose();
        }
        negotiation.Dispose();
    }

    /// <summary>Chooses our API version from the engine's range (internal for the out-of-range unit tests).</summary>
    internal static Version ChooseApiVersion(DockerVersionInfo info)
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

    /// <summary>
    /// Runs one library call on the negotiated client with the request timeout linked to the caller's token
    /// (unless <paramref name="withoutTimeout"/>: wait, stop, followed logs and archive transfers block by design),
    /// and maps what the library throws to our exceptions. An expired timeout is a <see cref="TimeoutException"/>;
    /// a cancelled caller still gets OperationCanceledException.
    /// </summary>
    internal Task<T> CallAsync<T>(
        string operation,
        DockerResourceKind notFoundMeans,
        Func<DockerClient, CancellationToken, Task<T>> call,
        CancellationToken cancellationToken,
        bool withoutTimeout = false) =>
        WithDeadlineAsync(operation, withoutTimeout, async token =>
        {
            var negotiated = await EnsureNegotiatedAsync(token);
            try
            {
                return await call(negotiated.Client, token);
            }
            catch (LibraryApiException ex)
            {
                throw MapError(operation, notFoundMeans, negotiated, ex);
            }
        }, cancellationToken);

    private async Task<T> WithDeadlineAsync<T>(
        string operation, bool withoutTimeout, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = withoutTimeout ? null : new CancellationTokenSource(options.RequestTimeout, timeProvider);
        using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await call(linked?.Token ?? cancellationToken);
        }
        catch (OperationCanceledException ex) when (timeout is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Docker {operation} did not answer within {options.RequestTimeout.TotalSeconds:0.###} s ({options.Endpoint}).", ex);
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            throw new DockerEngineUnavailableException(options.Endpoint, DescribeConnectFailure(ex), ex);
        }
    }

    internal Task CallAsync(
        string operation,
        DockerResourceKind notFoundMeans,
        Func<DockerClient, CancellationToken, Task> call,
        CancellationToken cancellationToken,
        bool withoutTimeout = false) =>
        CallAsync(operation, notFoundMeans, async (docker, ct) =>
        {
            await call(docker, ct);
            return true;
        }, cancellationToken, withoutTimeout);

    /// <summary>The engine's <c>message</c> from an error body (or the raw body when it is not JSON).</summary>
    internal static string EngineMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "";
        }
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

    private DockerClient Build(Version? apiVersion)
    {
        var builder = new DockerClientBuilder()
            .WithEndpoint(options.Endpoint)
            .WithApiVersion(apiVersion)
            // Our own deadline (RequestTimeout, through the TimeProvider) bounds every call that should be bounded.
            .WithTimeout(Timeout.InfiniteTimeSpan);
        // Unix sockets use the library's own transport. For tcp we choose the SocketsHttpHandler-based one:
        // the library's default tcp transport neither honours cancellation while connecting nor reports a
        // refused connection as an HttpRequestException. No connection cap: every running job holds one for its wait.
        return options.Endpoint.Scheme == "unix"
            ? builder.Build()
            : builder.WithTransportOptions(new NativeHttpTransportOptions
            {
                ConfigureHandler = handler => handler.MaxConnectionsPerServer = int.MaxValue,
            }).Build();
    }

    private async ValueTask<Negotiated> EnsureNegotiatedAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref current) is { } known)
        {
            return known;
        }
        await negotiation.WaitAsync(cancellationToken);
        try
        {
            // Another caller may have negotiated while this one waited for the lock.
            if (Volatile.Read(ref current) is null)
            {
                await NegotiateAsync(cancellationToken);
            }
            return Volatile.Read(ref current) ?? throw new DockerEngineVersionException("API version negotiation did not complete.");
        }
        finally
        {
            negotiation.Release();
        }
    }

    // Called with the negotiation lock held.
    private async Task<DockerVersionInfo> NegotiateAsync(CancellationToken cancellationToken)
    {
        global::Docker.DotNet.Models.VersionResponse version;
        try
        {
            version = await unversioned.System.GetVersionAsync(cancellationToken);
        }
        catch (LibraryApiException ex)
        {
            throw new DockerApiException("version", ex.StatusCode, EngineMessage(ex.ResponseBody));
        }
        var info = new DockerVersionInfo(
            version.Version, version.APIVersion, version.MinAPIVersion, version.Os, version.Arch, version.KernelVersion);
        var chosen = ChooseApiVersion(info);
        if (Volatile.Read(ref current) is { } previous)
        {
            if (previous.Version == chosen)
            {
                return info;
            }
            lock (retired)
            {
                retired.Add(previous.Client);
            }
        }
        Volatile.Write(ref current, new Negotiated(chosen, Build(chosen)));
        return info;
    }

    private DockerEngineException MapError(string operation, DockerResourceKind notFoundMeans, Negotiated used, LibraryApiException ex)
    {
        var status = ex.StatusCode;
        var engineMessage = EngineMessage(ex.ResponseBody);
        if (status == HttpStatusCode.BadRequest && IsVersionRejection(engineMessage))
        {
            // The engine changed under us (upgraded or downgraded): negotiate again on the next call.
            if (Interlocked.CompareExchange(ref current, null, used) == used)
            {
                lock (retired)
                {
                    retired.Add(used.Client);
                }
            }
            return new DockerEngineVersionException(
                $"Docker {operation} was rejected for API version {used.Version}: {engineMessage} (it will be renegotiated on the next call).");
        }
        return status switch
        {
            HttpStatusCode.NotFound when notFoundMeans == DockerResourceKind.Image =>
                new DockerImageNotFoundException(operation, status, engineMessage),
            HttpStatusCode.NotFound when notFoundMeans == DockerResourceKind.Container =>
                new DockerContainerNotFoundException(operation, status, engineMessage),
            HttpStatusCode.Conflict => new DockerConflictException(operation, status, engineMessage),
            _ => new DockerApiException(operation, status, engineMessage),
        };
    }

    // The unix transport reports a failed connect as HttpRequestException("Connection failed.", SocketException);
    // SocketsHttpHandler (tcp) as HttpRequestException with HttpRequestError.ConnectionError.
    private static bool IsUnreachable(Exception ex) => ex switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } => true,
        HttpRequestException { InnerException: SocketException } => true,
        SocketException => true,
        _ => false,
    };

    // The socket error says more than the HTTP wrapper's "Connection failed.".
    private string DescribeConnectFailure(Exception ex)
    {
        if (options.Endpoint.Scheme == "unix" && !File.Exists(options.Endpoint.AbsolutePath))
        {
            return $"the socket {options.Endpoint.AbsolutePath} does not exist (is dockerd running?)";
        }
        return (ex as SocketException ?? ex.InnerException as SocketException)?.Message ?? ex.Message;
    }

    private static bool IsVersionRejection(string engineMessage) =>
        engineMessage.Contains("client version", StringComparison.OrdinalIgnoreCase)
        && (engineMessage.Contains("too old", StringComparison.OrdinalIgnoreCase)
            || engineMessage.Contains("too new", StringComparison.OrdinalIgnoreCase));

    private sealed record Negotiated(Version Version, DockerClient Client);
}
