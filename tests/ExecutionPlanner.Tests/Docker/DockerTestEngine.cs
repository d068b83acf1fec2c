using ExecutionPlanner.Docker;

namespace ExecutionPlanner.Tests.Docker;

/// <summary>
/// The one place that decides what a test does when the Docker engine is missing: on a build server
/// (CI=true or EP_REQUIRE_SERVICES=1) it fails, so a missing daemon can never turn the suite quietly
/// green; elsewhere it ignores the test with the reason.
/// </summary>
internal static class DockerTestEngine
{
    /// <summary>Built by deploy/images/build-job-images.sh; never pulled.</summary>
    public const string JobImage = "executionplanner/busybox:1";

    public static DockerEngineOptions Options()
    {
        var endpoint = Environment.GetEnvironmentVariable("EP_DOCKER_ENDPOINT");
        return new DockerEngineOptions
        {
            Endpoint = string.IsNullOrWhiteSpace(endpoint) ? DockerEngineOptions.DefaultEndpoint : new Uri(endpoint),
        };
    }

    /// <summary>The containers (running or not) a server instance labelled on an engine (default: <see cref="Options"/>'s).</summary>
    public static async Task<IReadOnlyList<ContainerSummary>> ContainersOfInstanceAsync(string instance, string? engine = null)
    {
        using var docker = Client(engine);
        return await docker.ListContainersAsync([InstanceLabel(instance)], CancellationToken.None);
    }

    /// <summary>Removes a server instance's containers and their volumes from an engine (a failed test's leftovers).</summary>
    public static async Task RemoveContainersOfInstanceAsync(string instance, string? engine = null)
    {
        using var docker = Client(engine);
        await RemoveAsync(docker, await docker.ListContainersAsync([InstanceLabel(instance)], CancellationToken.None));
    }

    /// <summary>Removes containers with their volumes; one already gone (its test or a server removed it) is skipped.</summary>
    public static async Task RemoveAsync(DockerEngineClient docker, IEnumerable<ContainerSummary> containers)
    {
        foreach (var container in containers)
        {
            try
            {
                await docker.RemoveContainerAsync(container.Id, force: true, removeVolumes: true, CancellationToken.None);
            }
            catch (DockerContainerNotFoundException)
            {
                // Removed meanwhile.
            }
        }
    }

    static DockerEngineClient Client(string? engine) =>
        new(engine is null ? Options() : new DockerEngineOptions { Endpoint = new Uri(engine) });

    static string InstanceLabel(string instance) => $"{ExecutionPlanner.Server.Execution.ContainerLabels.Instance}={instance}";

    /// <summary>A connected client whose engine has the job image, or a failed/ignored test.</summary>
    public static async Task<DockerEngineClient> ConnectOrSkipAsync()
    {
        var client = new DockerEngineClient(Options());
        try
        {
            await client.ConnectAsync(CancellationToken.None);
            await client.InspectImageAsync(JobImage, CancellationToken.None);
            return client;
        }
        catch (Exception ex) when (ex is DockerEngineUnavailableException or TimeoutException)
        {
            client.Dispose();
            Unavailable($"No Docker engine at {client.Endpoint} (set EP_DOCKER_ENDPOINT, or start dockerd): {ex.Message}");
            throw; // Unreachable: Unavailable always throws.
        }
        catch (DockerImageNotFoundException)
        {
            client.Dispose();
            Unavailable($"The job image {JobImage} is missing; build it with deploy/images/build-job-images.sh.");
            throw;
        }
    }

    private static void Unavailable(string reason) => Support.RequiredServices.Missing(reason);
}
