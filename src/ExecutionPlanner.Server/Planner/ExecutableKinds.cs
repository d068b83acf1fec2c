namespace ExecutionPlanner.Server.Planner;

/// <summary>The executable kind this service runs: the docker-container type, in any spelling (<see cref="ResourceKinds"/>).</summary>
public static class ExecutableKinds
{
    /// <summary>The ExecutionBroker 1.0 type URI; offers always name the executable by this one.</summary>
    public const string DockerContainer = "https://www.purl.org/ivoa.net/EB/schema/v1.0/types/executable/docker-container-1.0";

    public static bool IsDockerContainer(string kind) => ResourceKinds.IsDockerContainer(kind);
}
