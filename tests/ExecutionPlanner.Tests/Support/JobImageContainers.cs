using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Images;
using ExecutionPlanner.Tests.Docker;

namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// Containers the tests make themselves (as opposed to those the server makes for jobs, through its adapter),
/// from the local job image through Testcontainers: never pulled, no ports, removed by label at the end of the
/// run (<see cref="TestcontainersCleanUp"/>; with Ryuk off, disposing a Testcontainers container only stops it).
/// </summary>
internal static class JobImageContainers
{
    /// <summary>
    /// The job image running <paramref name="command"/>. The stop signal is SIGKILL so that disposing a
    /// container whose PID 1 ignores SIGTERM (sleep) does not wait the engine's 10 s stop timeout.
    /// </summary>
    public static ContainerBuilder Builder(params string[] command) =>
        new ContainerBuilder(DockerTestEngine.JobImage)
            .WithImagePullPolicy(PullPolicy.Never)
            .WithCommand(command)
            .WithCreateParameterModifier(parameters => parameters.StopSignal = "SIGKILL");
}
