using System.Text;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using ExecutionPlanner.Docker;
using ExecutionPlanner.Tests.Support;

namespace ExecutionPlanner.Tests.Docker;

/// <summary>
/// Every client operation against the real engine. Each test names and labels its own containers,
/// so the tests run in parallel, and removes them in teardown.
/// </summary>
[Category("Docker")]
[Parallelizable(ParallelScope.All)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
[CancelAfter(120_000)]
public partial class DockerEngineClientTests
{
    private const string RunLabel = "org.executionplanner.test-run";
    private const string TestLabel = "org.executionplanner.test";
    private const int Uws = 65534;
    private static readonly string RunId = Guid.NewGuid().ToString("N")[..12];
    private static DockerEngineClient? shared;

    private readonly string testId = Guid.NewGuid().ToString("N")[..12];
    private readonly List<string> containers = [];
    private readonly List<IContainer> started = [];

    private static DockerEngineClient Client => shared ?? throw new InvalidOperationException("Not connected.");

    [OneTimeSetUp]
    public static async Task Connect() => shared = await DockerTestEngine.ConnectOrSkipAsync();

    [OneTimeTearDown]
    public static void Disconnect() => shared?.Dispose();

    [TearDown]
    public async Task RemoveContainers()
    {
        foreach (var container in started)
        {
            await container.DisposeAsync();
        }
        foreach (var id in containers)
        {
            try
            {
                await Client.RemoveContainerAsync(id, force: true, removeVolumes: true, CancellationToken.None);
            }
            catch (DockerContainerNotFoundException)
            {
                // The test removed it itself.
            }
        }
    }

    [Test]
    public void Connect_negotiates_the_newest_version_both_sides_speak()
    {
        Assert.That(Client.ApiVersion, Is.Not.Null);
        Assert.That(Client.ApiVersion, Is.InRange(DockerEngineClient.MinimumApiVersion, DockerEngineClient.NewestApiVersion));
    }

    [Test]
    public async Task Ping_and_version_agree_with_the_negotiated_version(CancellationToken cancellationToken)
    {
        using var client = new DockerEngineClient(DockerTestEngine.Options());

        var pinged = await client.PingAsync(cancellationToken);
        var info = await client.ConnectAsync(cancellationToken);

        var engineNewest = Version.Parse(info.ApiVersion);
        var expected = engineNewest < DockerEngineClient.NewestApiVersion ? engineNewest : DockerEngineClient.NewestApiVersion;
        Assert.That(pinged, Is.EqualTo(expected));
        Assert.That(client.ApiVersion, Is.EqualTo(expected));
        Assert.That(info.Version, Is.Not.Empty);
    }

    [Test]
    public async Task Image_inspect_returns_the_job_image_defaults(CancellationToken cancellationToken)
    {
        var image = await Client.InspectImageAsync(DockerTestEngine.JobImage, cancellationToken);

        Assert.That(image.Id, Does.StartWith("sha256:"));
        Assert.That(image.Cmd, Is.EqualTo(new List<string> { "/bin/sh" }));
        Assert.That(image.Labels, Does.ContainKey("org.executionplanner.recipe"));
        Assert.That(image.User, Is.Null);
    }

    [Test]
    public void Image_inspect_of_an_absent_image_throws_DockerImageNotFoundException(CancellationToken cancellationToken) =>
        Assert.That(
            async () => await Client.InspectImageAsync($"executionplanner/absent-{testId}:1", cancellationToken),
            Throws.InstanceOf<DockerImageNotFoundException>().With.Property(nameof(DockerApiException.StatusCode)).EqualTo(System.Net.HttpStatusCode.NotFound));

    [Test]
    public void Create_with_a_missing_image_throws_DockerImageNotFoundException(CancellationToken cancellationToken) =>
        Assert.That(
            async () => await Client.CreateContainerAsync(NewName(), new ContainerSpec($"executionplanner/absent-{testId}:1"), cancellationToken),
            Throws.InstanceOf<DockerImageNotFoundException>().With.Message.Contains("container create"));

    [Test]
    public async Task Create_with_a_taken_name_throws_DockerConflictException(CancellationToken cancellationToken)
    {
        var name = NewName();
        await CreateAsync(name, Spec("true"), cancellationToken);

        Assert.That(
            async () => await CreateAsync(name, Spec("true"), cancellationToken),
            Throws.InstanceOf<DockerConflictException>());
    }

    [Test]
    public async Task A_container_runs_and_its_exit_code_stdout_stderr_and_state_are_collected(CancellationToken cancellationToken)
    {
        var name = NewName();
        var id = await CreateAsync(name, Spec("sh", "-c", "echo out; echo err >&2; echo more; exit 3"), cancellationToken);

        var started = await Client.StartContainerAsync(id, cancellationToken);
        var exit = await Client.WaitContainerAsync(id, ContainerWaitCondition.NotRunning, cancellationToken);
        var (logs, stdout, stderr) = await LogsAsync(id, ContainerLogsOptions.Default, cancellationToken);
        var details = await Client.InspectContainerAsync(id, cancellationToken);

        Assert.That(started, Is.True);
        Assert.That(exit, Is.EqualTo(new ContainerWaitResult(3, null)));
        Assert.That(stdout, Is.EqualTo("out\nmore\n"));
        Assert.That(stderr, Is.EqualTo("err\n"));
        Assert.That(logs, Is.EqualTo(new LogCopyResult(9, 4, 0, 0)));
        Assert.That(details.Id, Is.EqualTo(id));
        Assert.That(details.Name, Is.EqualTo(name));
        Assert.That(details.Image, Is.EqualTo(DockerTestEngine.JobImage));
        Assert.That(details.ImageId, Is.EqualTo((await Client.InspectImageAsync(DockerTestEngine.JobImage, cancellationToken)).Id));
        Assert.That(details.Tty, Is.False);
        Assert.That(details.Labels[TestLabel], Is.EqualTo(testId));
        Assert.That(details.State.Status, Is.EqualTo("exited"));
        Assert.That(details.State.Running, Is.False);
        Assert.That(details.State.ExitCode, Is.EqualTo(3));
        Assert.That(details.State.OomKilled, Is.False);
        Assert.That(details.State.StartedAt, Is.Not.Null);
        // Not FinishedAt >= StartedAt: the engine takes FinishedAt from containerd's exit event and StartedAt
        // from after its own start call, so a job that exits at once can "finish" a few ms before it "started".
        Assert.That(details.State.FinishedAt, Is.EqualTo(details.State.StartedAt!.Value).Within(TimeSpan.FromMinutes(1)));
    }

    [Test]
    public async Task A_created_container_has_no_start_or_finish_time(CancellationToken cancellationToken)
    {
        var id = await CreateAsync(NewName(), Spec("true"), cancellationToken);

        var state = (await Client.InspectContainerAsync(id, cancellationToken)).State;

        Assert.That(state.Status, Is.EqualTo("created"));
        Assert.That(state.StartedAt, Is.Null);
        Assert.That(state.FinishedAt, Is.Null);
    }

    [Test]
    public async Task Followed_logs_return_all_output_when_the_container_exits(CancellationToken cancellationToken)
    {
        var id = await StartAsync(JobImageContainers.Builder("sh", "-c", "for i in 1 2 3; do echo line$i; sleep 0.2; done; echo bye >&2"), cancellationToken);

        var (_, stdout, stderr) = await LogsAsync(id, new ContainerLogsOptions { Follow = true }, cancellationToken);

        Assert.That(stdout, Is.EqualTo("line1\nline2\nline3\n"));
        Assert.That(stderr, Is.EqualTo("bye\n"));
        Assert.That((await Client.InspectContainerAsync(id, cancellationToken)).State.Running, Is.False);
    }

    [Test]
    public async Task Log_limits_keep_the_first_bytes_and_report_the_rest(CancellationToken cancellationToken)
    {
        var id = await StartAsync(JobImageContainers.Builder("sh", "-c", "yes | head -c 100000"), cancellationToken);
        await Client.WaitContainerAsync(id, ContainerWaitCondition.NotRunning, cancellationToken);

        var (logs, stdout, _) = await LogsAsync(id, new ContainerLogsOptions { Limits = new LogByteLimits(1000, 10) }, cancellationToken);

        Assert.That(stdout, Has.Length.EqualTo(1000).And.StartsWith("y\ny\n"));
        Assert.That(logs.StdoutTruncatedBytes, Is.EqualTo(99_000));
    }

    [Test]
    public async Task Start_of_a_running_container_returns_false_and_kill_stops_it(CancellationToken cancellationToken)
    {
        var id = await StartAsync(JobImageContainers.Builder("sleep", "300"), cancellationToken);

        var startedAgain = await Client.StartContainerAsync(id, cancellationToken);
        var running = (await Client.InspectContainerAsync(id, cancellationToken)).State.Running;
        var killed = await Client.KillContainerAsync(id, "SIGKILL", cancellationToken);
        var exit = await Client.WaitContainerAsync(id, ContainerWaitCondition.NotRunning, cancellationToken);
        var killedAgain = await Client.KillContainerAsync(id, "SIGKILL", cancellationToken);

        Assert.That(startedAgain, Is.False);
        Assert.That(running, Is.True);
        Assert.That(killed, Is.True);
        Assert.That(exit.StatusCode, Is.EqualTo(137), "128 + SIGKILL");
        Assert.That(killedAgain, Is.False, "kill of a stopped container is 409, reported as false");
    }

    [Test]
    public async Task Stop_ends_a_running_container_and_a_second_stop_returns_false(CancellationToken cancellationToken)
    {
        // An init as PID 1 passes the stop signal on; sleep alone would ignore it.
        var id = await StartAsync(JobImageContainers.Builder("sleep", "300")
            .WithCreateParameterModifier(p => { p.StopSignal = "SIGTERM"; p.HostConfig!.Init = true; }), cancellationToken);

        var stopped = await Client.StopContainerAsync(id, TimeSpan.FromSeconds(5), cancellationToken);
        var stoppedAgain = await Client.StopContainerAsync(id, TimeSpan.FromSeconds(5), cancellationToken);

        Assert.That(stopped, Is.True);
        Assert.That(stoppedAgain, Is.False);
        Assert.That((await Client.InspectContainerAsync(id, cancellationToken)).State.Running, Is.False);
    }

    [Test]
    public async Task Removed_container_is_gone_and_operations_on_it_throw_DockerContainerNotFoundException(CancellationToken cancellationToken)
    {
        var id = await StartAsync(JobImageContainers.Builder("sleep", "300"), cancellationToken);

        await Client.RemoveContainerAsync(id, force: true, removeVolumes: true, cancellationToken);

        Assert.That(async () => await Client.InspectContainerAsync(id, cancellationToken), Throws.InstanceOf<DockerContainerNotFoundException>());
        Assert.That(async () => await Client.StartContainerAsync(id, cancellationToken), Throws.InstanceOf<DockerContainerNotFoundException>());
        Assert.That(async () => await Client.KillContainerAsync(id, "SIGKILL", cancellationToken), Throws.InstanceOf<DockerContainerNotFoundException>());
        Assert.That(async () => await Client.WaitContainerAsync(id, ContainerWaitCondition.NotRunning, cancellationToken), Throws.InstanceOf<DockerContainerNotFoundException>());
        Assert.That(async () => await Client.RemoveContainerAsync(id, false, false, cancellationToken), Throws.InstanceOf<DockerContainerNotFoundException>());
        Assert.That(async () => await Client.GetArchiveAsync(id, "/", cancellationToken), Throws.InstanceOf<DockerContainerNotFoundException>());
    }

    [Test]
    public async Task Remove_of_a_running_container_without_force_throws_DockerConflictException(CancellationToken cancellationToken)
    {
        var id = await StartAsync(JobImageContainers.Builder("sleep", "300"), cancellationToken);

        Assert.That(
            async () => await Client.RemoveContainerAsync(id, force: false, removeVolumes: false, cancellationToken),
            Throws.InstanceOf<DockerConflictException>());
    }

    [Test]
    public async Task List_by_label_finds_exactly_the_labelled_containers(CancellationToken cancellationToken)
    {
        var first = await CreateAsync(NewName(), Spec("true") with { Labels = Labels(("group", "a")) }, cancellationToken);
        var second = await CreateAsync(NewName(), Spec("true") with { Labels = Labels(("group", "a")) }, cancellationToken);
        var other = await CreateAsync(NewName(), Spec("true") with { Labels = Labels(("group", "b")) }, cancellationToken);
        await Client.StartContainerAsync(second, cancellationToken);
        await Client.WaitContainerAsync(second, ContainerWaitCondition.NotRunning, cancellationToken);

        var found = await Client.ListContainersAsync([$"{TestLabel}={testId}", "group=a"], cancellationToken);
        var all = await Client.ListContainersAsync([$"{TestLabel}={testId}"], cancellationToken);

        Assert.That(found.Select(c => c.Id), Is.EquivalentTo(new List<string> { first, second }), "stopped containers are listed too");
        Assert.That(all.Select(c => c.Id), Is.EquivalentTo(new List<string> { first, second, other }));
        Assert.That(found.Single(c => c.Id == second).State, Is.EqualTo("exited"));
        Assert.That(found.All(c => c.Labels["group"] == "a" && c.Names.Count == 1 && !c.Names[0].StartsWith('/')), Is.True);
    }

    [Test]
    public async Task A_container_over_its_memory_limit_is_OOM_killed(CancellationToken cancellationToken)
    {
        const long limit = 16 * 1024 * 1024;
        // The engine's OOM flag comes from a separate containerd event, which can land just after the wait returns,
        // and which containerd's cgroup v1 watcher drops when the container's cgroup is already gone (seen in CI under
        // load; the server words a bare 137 for that case). So each container is looked at for a while, and up to three
        // are run: the adapter must report the flag whenever the engine has it, and the engine has it nearly always.
        var exits = new List<long>();
        var oomKilled = false;
        for (var run = 0; run < 3 && !oomKilled; run++)
        {
            // The shell holds a 100 MB string in memory: far over the limit, and swap is disabled.
            var id = await StartAsync(JobImageContainers.Builder("sh", "-c", "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo ${#x}")
                .WithCreateParameterModifier(p => { p.HostConfig!.Memory = limit; p.HostConfig.MemorySwap = limit; }), cancellationToken);
            exits.Add((await Client.WaitContainerAsync(id, ContainerWaitCondition.NotRunning, cancellationToken)).StatusCode);
            var deadline = System.Diagnostics.Stopwatch.StartNew();
            var state = (await Client.InspectContainerAsync(id, cancellationToken)).State;
            while (!state.OomKilled && deadline.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(100, cancellationToken);
                state = (await Client.InspectContainerAsync(id, cancellationToken)).State;
            }
            oomKilled = state.OomKilled;
        }

        Assert.That(exits, Is.All.EqualTo(137));
        Assert.That(oomKilled, Is.True);
    }

    [Test]
    public async Task Wait_ends_with_OperationCanceledException_when_its_token_is_cancelled(CancellationToken cancellationToken)
    {
        var id = await StartAsync(JobImageContainers.Builder("sleep", "300"), cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMilliseconds(500));

        Assert.That(
            async () => await Client.WaitContainerAsync(id, ContainerWaitCondition.NotRunning, deadline.Token),
            Throws.InstanceOf<OperationCanceledException>());
        Assert.That((await Client.InspectContainerAsync(id, cancellationToken)).State.Running, Is.True,
            "cancelling the wait leaves the container alone");
    }

    private static ContainerSpec Spec(params string[] cmd) => new(DockerTestEngine.JobImage) { Cmd = cmd };

    private static string NewName() => $"ep-test-{RunId}-{Guid.NewGuid().ToString("N")[..8]}";

    private Dictionary<string, string> Labels(params (string Key, string Value)[] extra)
    {
        var labels = new Dictionary<string, string> { [RunLabel] = RunId, [TestLabel] = testId };
        foreach (var (key, value) in extra)
        {
            labels[key] = value;
        }
        return labels;
    }

    private async Task<string> CreateAsync(string name, ContainerSpec spec, CancellationToken cancellationToken)
    {
        var labels = Labels();
        foreach (var (key, value) in spec.Labels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }
        var created = await Client.CreateContainerAsync(name, spec with { Labels = labels }, cancellationToken);
        containers.Add(created.Id);
        return created.Id;
    }

    /// <summary>
    /// A container this test needs running but whose creation is not what it tests: made and started through
    /// Testcontainers, stopped in teardown, removed by label at the end of the run.
    /// </summary>
    private async Task<string> StartAsync(ContainerBuilder builder, CancellationToken cancellationToken)
    {
        var container = builder.WithName(NewName()).WithLabel(RunLabel, RunId).WithLabel(TestLabel, testId).Build();
        started.Add(container);
        await container.StartAsync(cancellationToken);
        return container.Id;
    }

    private static async Task<(LogCopyResult Result, string Stdout, string Stderr)> LogsAsync(
        string id, ContainerLogsOptions options, CancellationToken cancellationToken)
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var result = await Client.CopyLogsAsync(id, stdout, stderr, options, cancellationToken);
        return (result, Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
    }
}
