using System.Net;
using System.Net.Sockets;
using ExecutionPlanner.Docker;
using Microsoft.AspNetCore.Http;

namespace ExecutionPlanner.Tests.Docker;

/// <summary>Version negotiation, error mapping, timeouts and transport failures, against a fake engine.</summary>
[Parallelizable(ParallelScope.All)]
[CancelAfter(30_000)]
public class DockerEngineClientProtocolTests
{
    [TestCase("1.52", "1.24", "1.47")]
    [TestCase("1.47", "1.12", "1.47")]
    [TestCase("1.43", "1.12", "1.43")]
    [TestCase("1.41", "1.12", "1.41")]
    public async Task Negotiation_picks_the_newest_version_both_sides_speak_and_prefixes_every_path(
        string engineNewest, string engineOldest, string expected)
    {
        await using var engine = await FakeDockerEngine.StartAsync();
        engine.ApiVersion = engineNewest;
        engine.MinApiVersion = engineOldest;
        using var client = new DockerEngineClient(new DockerEngineOptions { Endpoint = engine.Endpoint });
        engine.Handler = context => context.Response.WriteAsJsonAsync(new { StatusCode = 0 });

        await client.WaitContainerAsync("abc", ContainerWaitCondition.NextExit, CancellationToken.None);

        Assert.That(client.ApiVersion, Is.EqualTo(Version.Parse(expected)));
        Assert.That(engine.Requests, Is.EqualTo(new List<string>
        {
            "GET /version",
            $"POST /v{expected}/containers/abc/wait?condition=next-exit",
        }));
    }

    [Test]
    public async Task Engine_older_than_our_minimum_throws_DockerEngineVersionException()
    {
        await using var engine = await FakeDockerEngine.StartAsync();
        engine.ApiVersion = "1.40";
        using var client = new DockerEngineClient(new DockerEngineOptions { Endpoint = engine.Endpoint });

        Assert.That(
            async () => await client.PingAsync(CancellationToken.None),
            Throws.InstanceOf<DockerEngineVersionException>().With.Message.Contains("1.40").And.Message.Contains("at least 1.41"));
        Assert.That(client.ApiVersion, Is.Null);
    }

    [Test]
    public async Task Engine_requiring_a_newer_api_than_ours_throws_DockerEngineVersionException()
    {
        await using var engine = await FakeDockerEngine.StartAsync();
        engine.ApiVersion = "1.55";
        engine.MinApiVersion = "1.50";
        using var client = new DockerEngineClient(new DockerEngineOptions { Endpoint = engine.Endpoint });

        Assert.That(
            async () => await client.ConnectAsync(CancellationToken.None),
            Throws.InstanceOf<DockerEngineVersionException>().With.Message.Contains("1.50").And.Message.Contains("at most 1.47"));
    }

    [Test]
    public async Task A_call_rejected_for_its_version_throws_and_the_next_call_renegotiates()
    {
        await using var engine = await FakeDockerEngine.StartAsync();
        using var client = new DockerEngineClient(new DockerEngineOptions { Endpoint = engine.Endpoint });
        await client.ConnectAsync(CancellationToken.None);
        // The engine is downgraded while we run.
        engine.ApiVersion = "1.44";
        engine.Handler = FakeDockerEngine.Error(400, """{"message":"client version 1.47 is too new. Maximum supported API version is 1.44"}""");

        Assert.That(
            async () => await client.InspectContainerAsync("abc", CancellationToken.None),
            Throws.InstanceOf<DockerEngineVersionException>().With.Message.Contains("too new"));
        engine.Handler = context => context.Response.WriteAsJsonAsync(new { Id = "abc", Name = "/n" });
        var details = await client.InspectContainerAsync("abc", CancellationToken.None);

        Assert.That(client.ApiVersion, Is.EqualTo(new Version(1, 44)));
        Assert.That(details.Name, Is.EqualTo("n"));
        Assert.That(engine.Requests.Last(), Is.EqualTo("GET /v1.44/containers/abc/json"));
    }

    [Test]
    public async Task Error_statuses_map_to_specific_exceptions_carrying_status_and_engine_message()
    {
        await using var engine = await FakeDockerEngine.StartAsync();
        using var client = new DockerEngineClient(new DockerEngineOptions { Endpoint = engine.Endpoint });

        engine.Handler = FakeDockerEngine.Error(404, """{"message":"No such container: abc"}""");
        var notFound = Assert.ThrowsAsync<DockerContainerNotFoundException>(
            async () => await client.InspectContainerAsync("abc", CancellationToken.None));
        engine.Handler = FakeDockerEngine.Error(404, """{"message":"No such image: x:1"}""");
        var noImage = Assert.ThrowsAsync<DockerImageNotFoundException>(
            async () => await client.CreateContainerAsync("n", new ContainerSpec("x:1"), CancellationToken.None));
        engine.Handler = FakeDockerEngine.Error(409, """{"message":"removal already in progress"}""");
        var conflict = Assert.ThrowsAsync<DockerConflictException>(
            async () => await client.RemoveContainerAsync("abc", true, true, CancellationToken.None));
        engine.Handler = FakeDockerEngine.Error(500, "plain text from a proxy\n");
        var general = Assert.ThrowsAsync<DockerApiException>(
            async () => await client.StartContainerAsync("abc", CancellationToken.None));

        Assert.That((notFound!.StatusCode, notFound.EngineMessage, notFound.Operation),
            Is.EqualTo((HttpStatusCode.NotFound, "No such container: abc", "container inspect")));
        Assert.That(noImage!.EngineMessage, Is.EqualTo("No such image: x:1"));
        Assert.That(conflict!.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(general!.GetType(), Is.EqualTo(typeof(DockerApiException)));
        Assert.That((general.StatusCode, general.EngineMessage), Is.EqualTo((HttpStatusCode.InternalServerError, "plain text from a proxy")));
        Assert.That(general.Message, Does.Contain("container start").And.Contain("500"));
    }

    [Test]
    public async Task Wait_reports_the_engine_error_message()
    {
        await using var engine = await FakeDockerEngine.StartAsync();
        using var client = new DockerEngineClient(new DockerEngineOptions { Endpoint = engine.Endpoint });
        engine.Handler = context => context.Response.WriteAsync("""{"StatusCode":-1,"Error":{"Message":"container vanished"}}""");

        var result = await client.WaitContainerAsync("abc", ContainerWaitCondition.NotRunning, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new ContainerWaitResult(-1, "container vanished")));
    }

    [Test]
    public async Task A_call_slower_than_the_request_timeout_throws_TimeoutException()
    {
        await using var engine = await FakeDockerEngine.StartAsync();
        var clock = new ManualTimeProvider();
        using var client = new DockerEngineClient(new DockerEngineOptions { Endpoint = engine.Endpoint }, clock);
        await client.ConnectAsync(CancellationToken.None);
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.Handler = async context =>
        {
            received.SetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        };

        var inspecting = client.InspectContainerAsync("abc", CancellationToken.None);
        await received.Task; // The request is in flight, so its deadline timer exists.
        clock.Advance(DockerEngineOptions.DefaultRequestTimeout);

        Assert.That(async () => await inspecting, Throws.InstanceOf<TimeoutException>().With.Message.Contains("container inspect"));
    }

    [Test]
    public async Task Wait_is_not_bounded_by_the_request_timeout()
    {
        await using var engine = await FakeDockerEngine.StartAsync();
        var clock = new ManualTimeProvider();
        using var client = new DockerEngineClient(new DockerEngineOptions { Endpoint = engine.Endpoint }, clock);
        await client.ConnectAsync(CancellationToken.None);
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.Handler = async context =>
        {
            received.SetResult();
            await answer.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("""{"StatusCode":5}""");
        };

        var waiting = client.WaitContainerAsync("abc", ContainerWaitCondition.NotRunning, CancellationToken.None);
        await received.Task;
        var timersDuringWait = clock.ActiveTimers;
        // Any request deadline would fire here, synchronously, and abort the request before it is answered.
        clock.Advance(TimeSpan.FromHours(1));
        answer.SetResult();

        Assert.That(timersDuringWait, Is.Zero);
        Assert.That((await waiting).StatusCode, Is.EqualTo(5));
    }

    [Test]
    public async Task Cancellation_by_the_caller_is_not_reported_as_a_timeout()
    {
        await using var engine = await FakeDockerEngine.StartAsync();
        using var client = new DockerEngineClient(new DockerEngineOptions { Endpoint = engine.Endpoint });
        await client.ConnectAsync(CancellationToken.None);
        engine.Handler = context => Task.Delay(Timeout.Infinite, context.RequestAborted);
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.That(
            async () => await client.InspectContainerAsync("abc", caller.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

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
}
