using EmptyStruct = Docker.DotNet.Models.EmptyStruct;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Execution;
using ExecutionPlanner.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// The reaper settles jobs whose node died, by their container: never started -> run again; finished ->
/// outcome collected; still running -> killed, ERROR "lost with its node". A dead node is played by
/// writing its lease into the job row and, where it had one, creating its labelled container by hand.
/// </summary>
[Category("Docker")]
public sealed class RecoveryTests : ServerFixture
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    protected override async Task<UwsTestServer> StartServerAsync()
    {
        await ExecutionServer.RequireDockerAsync();
        return await ExecutionServer.StartAsync(new Dictionary<string, string?> { ["Execution:LeaseDuration"] = "00:00:02" });
    }

    [Test]
    public async Task A_job_claimed_by_a_dead_node_that_never_started_its_container_runs_again_and_completes()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "echo"), ("cmd", "second chance"));
        await PretendDeadNodeHeldAsync(id, containerId: null, started: false);
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString());
        Assert.That((await client.GetTextAsync($"/jobs/{id}/results/stdout")).Body, Is.EqualTo("second chance\n"));
        Assert.That(await JobRows.CountOnAsync(Server.ConnectionString, "SELECT attempt FROM jobs WHERE id = $1", id), Is.EqualTo(2));
    }

    [Test]
    public async Task A_container_created_but_never_started_by_a_dead_node_is_replaced_and_the_job_runs_once()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "echo"), ("cmd", "ran once"));
        using var docker = new DockerEngineClient(ExecutionPlanner.Tests.Docker.DockerTestEngine.Options());
        await PretendLiveNodeHoldsAsync(id);
        var container = await CreateDeadNodesContainerAsync(docker, id, ["echo", "the dead node's container"]);
        // Marked as starting, then the node died before the start call.
        await PretendDeadNodeHeldAsync(id, container, started: true);
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString());
        Assert.That((await client.GetTextAsync($"/jobs/{id}/results/stdout")).Body, Is.EqualTo("ran once\n"));
        Assert.That(await JobRows.CountOnAsync(Server.ConnectionString, "SELECT attempt FROM jobs WHERE id = $1", id), Is.EqualTo(2));
    }

    [Test]
    public async Task A_job_whose_node_died_while_its_container_ran_is_killed_and_ends_in_error_saying_so()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "sleep"), ("cmd", "60"));
        using var docker = new DockerEngineClient(ExecutionPlanner.Tests.Docker.DockerTestEngine.Options());
        await PretendLiveNodeHoldsAsync(id);
        await using var container = await StartDeadNodesContainerAsync(docker, id, ["sh", "-c", "echo working; sleep 60"], waitForExit: false);
        await PretendDeadNodeHeldAsync(id, container.Id, started: true);
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("ERROR"));
        Assert.That(job.Element(Uws + "errorSummary")!.Value, Does.Contain("lost with its node dead-node"));
        Assert.That((await client.GetTextAsync($"/jobs/{id}/results/stdout")).Body, Is.EqualTo("working\n"));
        await ExecutionTests.WaitUntilAsync(async () => (await docker.ListContainersAsync([$"{ContainerLabels.Job}={id}"], CancellationToken.None)).Count == 0,
            TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task A_container_that_finished_after_its_node_died_has_its_outcome_collected()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "true"));
        using var docker = new DockerEngineClient(ExecutionPlanner.Tests.Docker.DockerTestEngine.Options());
        await PretendLiveNodeHoldsAsync(id);
        await using var container = await StartDeadNodesContainerAsync(docker, id, ["sh", "-c", "echo done > /uws/results/out.txt; echo finished"], waitForExit: true);
        await PretendDeadNodeHeldAsync(id, container.Id, started: true);
        var job = await client.WaitForEndAsync(id, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString());
        Assert.That((await client.GetTextAsync($"/jobs/{id}/results/out.txt")).Body, Is.EqualTo("done\n"));
        Assert.That((await client.GetTextAsync($"/jobs/{id}/results/stdout")).Body, Is.EqualTo("finished\n"));
    }

    /// <summary>
    /// The node is alive and holds the job (as a runner does before it creates the container), so the
    /// reaper's orphan sweep leaves the container being made alone.
    /// </summary>
    Task<int> PretendLiveNodeHoldsAsync(string jobId) =>
        JobRows.ExecuteOnAsync(Server.ConnectionString, """
            UPDATE jobs SET phase = 'EXECUTING', attempt = 1, lease_token = gen_random_uuid(), lease_owner = 'dead-node',
                   lease_expires_at = now() + interval '1 hour', start_time = now()
             WHERE id = $1
            """, jobId);

    /// <summary>What a node leaves behind when it dies holding the job: EXECUTING under an expired lease.</summary>
    Task<int> PretendDeadNodeHeldAsync(string jobId, string? containerId, bool started) =>
        JobRows.ExecuteOnAsync(Server.ConnectionString, """
            UPDATE jobs SET phase = 'EXECUTING', attempt = 1, lease_token = gen_random_uuid(), lease_owner = 'dead-node',
                   lease_expires_at = now() - interval '1 minute', start_time = now(), container_id = $2,
                   container_started_at = CASE WHEN $3 THEN now() END
             WHERE id = $1
            """, jobId, (object?)containerId ?? DBNull.Value, started);

    /// <summary>
    /// The container the dead node had made and started for attempt 1, with the name, user, volumes and labels
    /// the runner gives, made through Testcontainers (the server removes it when it settles the job).
    /// </summary>
    async Task<ServerSettledContainer> StartDeadNodesContainerAsync(DockerEngineClient docker, string jobId, IReadOnlyList<string> cmd, bool waitForExit)
    {
        var container = JobImageContainers.Builder([.. cmd])
            .WithName(ContainerLabels.NameOf(jobId, 1))
            .WithLabel(DeadNodesLabels(jobId))
            .WithCreateParameterModifier(p =>
            {
                p.User = "65534:65534";
                p.Volumes = new Dictionary<string, EmptyStruct> { ["/uws/inputs"] = default, ["/uws/results"] = default };
            })
            .Build();
        await container.StartAsync();
        if (waitForExit)
        {
            await docker.WaitContainerAsync(container.Id, ContainerWaitCondition.NotRunning, CancellationToken.None);
        }
        return new ServerSettledContainer(container);
    }

    /// <summary>
    /// A container the server is expected to remove when it settles the job: disposing it afterwards finds it gone
    /// (Testcontainers then fails with the engine's 404), which is the point, not an error.
    /// </summary>
    sealed class ServerSettledContainer(IContainer container) : IAsyncDisposable
    {
        public string Id => container.Id;

        public async ValueTask DisposeAsync()
        {
            try
            {
                await container.DisposeAsync();
            }
            catch (global::Docker.DotNet.DockerContainerNotFoundException)
            {
                // Already removed by the server's reaper.
            }
        }
    }

    Dictionary<string, string> DeadNodesLabels(string jobId) => new()
    {
        [ContainerLabels.Job] = jobId,
        [ContainerLabels.Attempt] = "1",
        [ContainerLabels.Node] = "dead-node",
        [ContainerLabels.Instance] = Server.Services.GetRequiredService<ExecutionNode>().Instance,
    };

    /// <summary>
    /// The container the dead node had made but not started: through the adapter, as the runner makes it,
    /// because Testcontainers only creates and starts in one step.
    /// </summary>
    async Task<string> CreateDeadNodesContainerAsync(DockerEngineClient docker, string jobId, IReadOnlyList<string> cmd)
    {
        var created = await docker.CreateContainerAsync(ContainerLabels.NameOf(jobId, 1), new ContainerSpec(Image)
        {
            Cmd = cmd,
            User = "65534:65534",
            Volumes = ["/uws/inputs", "/uws/results"],
            Labels = DeadNodesLabels(jobId),
        }, CancellationToken.None);
        return created.Id;
    }
}
