using DotNet.Testcontainers.Containers;
using ExecutionPlanner.Docker;
using ExecutionPlanner.Tests.Docker;

namespace ExecutionPlanner.Tests;

/// <summary>
/// Removes the containers the tests made through Testcontainers, by label: at the end of the run every container
/// of this process's Testcontainers session, and at the start those of runs that died (labelled
/// org.testcontainers=true and older than an hour; a run of this suite takes minutes, and another checkout may
/// be running its suite on the same engine right now). deploy/run-tests.sh sweeps the same way afterwards.
/// </summary>
[SetUpFixture]
public sealed class TestcontainersCleanUp
{
    private static readonly TimeSpan Stale = TimeSpan.FromHours(1);

    [OneTimeSetUp]
    public Task RemoveStaleContainers()
    {
        var before = TimeProvider.System.GetUtcNow() - Stale;
        return RemoveAsync("org.testcontainers=true", c => c.Created < before);
    }

    [OneTimeTearDown]
    public Task RemoveThisSessionsContainers() =>
        RemoveAsync($"org.testcontainers.session-id={ResourceReaper.DefaultSessionId:D}", _ => true);

    private static async Task RemoveAsync(string label, Func<ContainerSummary, bool> which)
    {
        using var docker = new DockerEngineClient(DockerTestEngine.Options());
        IReadOnlyList<ContainerSummary> labelled;
        try
        {
            labelled = await docker.ListContainersAsync([label], CancellationToken.None);
        }
        catch (Exception ex) when (ex is DockerEngineException or TimeoutException)
        {
            return; // No engine: nothing to clean; the tests that need one say so themselves.
        }
        await DockerTestEngine.RemoveAsync(docker, labelled.Where(which));
    }
}
