using System.Net;
using System.Net.Sockets;
using ExecutionPlanner.Docker;

namespace ExecutionPlanner.Tests.Docker;

/// <summary>
/// What the adapter makes of a missing, refusing or silent engine, and which calls the request timeout
/// bounds. No fake engine: a socket nobody listens on, or one that accepts and never answers, and the real dockerd.
/// </summary>
[Category("Docker")]
[Parallelizable(ParallelScope.All)]
[CancelAfter(60_000)]
public class DockerEngineClientTransportTests
{
    [Test]
    public void A_missing_unix_socket_throws_DockerEngineUnavailableException_naming_the_endpoint()
    {
        var endpoint = new Uri($"unix:///tmp/ep-no-engine-{Guid.NewGuid():N}.sock");
        using var client = new DockerEngineClient(new DockerEngineOptions { Endpoint = endpoint });

        Assert.That(
            async () => await client.PingAsync(CancellationToken.None),
            Throws.InstanceOf<DockerEngineUnavailableException>()
                .With.Message.Contains(endpoint.ToString())
                .And.Property(nameof(DockerEngineUnavailableException.Endpoint)).EqualTo(endpoint));
    }

    [Test]
    public void A_refused_tcp_connection_throws_DockerEngineUnavailableException()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // Nothing listens on the port any more: the connection is refused.
        using var client = new DockerEngineClient(new DockerEngineOptions { Endpoint = new Uri($"tcp://127.0.0.1:{port}") });

        Assert.That(
            async () => await client.ConnectAsync(CancellationToken.None),
            Throws.InstanceOf<DockerEngineUnavailableException>().With.Message.Contains($"127.0.0.1:{port}"));
    }

    [TestCase("https://docker.example:2376")]
    [TestCase("npipe:////./pipe/docker_engine")]
    public void Unsupported_endpoint_schemes_are_rejected_at_construction(string endpoint) =>
        Assert.That(
            () => new DockerEngineClient(new DockerEngineOptions { Endpoint = new Uri(endpoint) }),
            Throws.ArgumentException.With.Message.Contains("unix://"));

    [Test]
    public async Task An_engine_that_never_answers_gives_TimeoutException_after_the_request_timeout()
    {
        using var silent = SilentSocket.Start();
        using var client = new DockerEngineClient(new DockerEngineOptions
        {
            Endpoint = silent.Endpoint,
            RequestTimeout = TimeSpan.FromMilliseconds(300),
        });

        Assert.That(async () => await client.ConnectAsync(CancellationToken.None),
            Throws.InstanceOf<TimeoutException>().With.Message.Contains("Docker version did not answer within 0.3 s"));
        Assert.That(async () => await client.PingAsync(CancellationToken.None),
            Throws.InstanceOf<TimeoutException>().With.Message.Contains("Docker ping"));
        Assert.That(async () => await client.InspectContainerAsync("abc", CancellationToken.None),
            Throws.InstanceOf<TimeoutException>());
    }

    [Test]
    public async Task Cancellation_by_the_caller_is_not_reported_as_a_timeout()
    {
        using var silent = SilentSocket.Start();
        using var client = new DockerEngineClient(new DockerEngineOptions { Endpoint = silent.Endpoint });
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.That(
            async () => await client.InspectContainerAsync("abc", caller.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Wait_and_followed_logs_are_not_bounded_by_the_request_timeout(CancellationToken cancellationToken)
    {
        using var probe = await DockerTestEngine.ConnectOrSkipAsync();
        var options = DockerTestEngine.Options();
        options.RequestTimeout = TimeSpan.FromMilliseconds(500);
        using var client = new DockerEngineClient(options);
        var id = (await client.CreateContainerAsync(null, new ContainerSpec(DockerTestEngine.JobImage)
        {
            Cmd = ["sh", "-c", "sleep 2; echo done"],
            Labels = new Dictionary<string, string> { ["org.executionplanner.test"] = "transport" },
        }, cancellationToken)).Id;
        try
        {
            await client.StartContainerAsync(id, cancellationToken);
            using var stdout = new MemoryStream();
            var logs = client.CopyLogsAsync(id, stdout, Stream.Null, new ContainerLogsOptions { Follow = true }, cancellationToken);

            var waited = await client.WaitContainerAsync(id, ContainerWaitCondition.NotRunning, cancellationToken);
            await logs;

            Assert.That(waited.StatusCode, Is.Zero);
            Assert.That(System.Text.Encoding.UTF8.GetString(stdout.ToArray()), Is.EqualTo("done\n"));
        }
        finally
        {
            await client.RemoveContainerAsync(id, force: true, removeVolumes: true, CancellationToken.None);
        }
    }

    [Test]
    public async Task The_engine_reports_its_cores_and_memory(CancellationToken cancellationToken)
    {
        using var client = await DockerTestEngine.ConnectOrSkipAsync();

        var resources = await client.GetEngineResourcesAsync(cancellationToken);

        Assert.That(resources.Cores, Is.GreaterThan(0));
        Assert.That(resources.MemoryBytes, Is.GreaterThan(0));
    }

    /// <summary>A unix socket that accepts connections and never answers (an engine hung mid-request).</summary>
    private sealed class SilentSocket : IDisposable
    {
        private readonly string path = Path.Combine(Path.GetTempPath(), $"ep-silent-{Guid.NewGuid():N}.sock");
        private readonly Socket listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

        public Uri Endpoint => new("unix://" + path);

        public static SilentSocket Start()
        {
            var silent = new SilentSocket();
            silent.listener.Bind(new UnixDomainSocketEndPoint(silent.path));
            // The backlog holds the connections; nothing ever reads from them.
            silent.listener.Listen(64);
            return silent;
        }

        public void Dispose()
        {
            listener.Dispose();
            File.Delete(path);
        }
    }
}
