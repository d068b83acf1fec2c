namespace ExecutionPlanner.Server.Planner;

/// <summary>The executable kinds this service runs: the docker-container type in the spellings clients use.</summary>
public static class ExecutableKinds
{
    /// <summary>The ExecutionBroker 1.0 type URI; offers always name the executable by this one.</summary>
    public const string DockerContainer = "https://www.purl.org/ivoa.net/EB/schema/v1.0/types/executable/docker-container-1.0";

    static readonly HashSet<string> Docker = new(StringComparer.OrdinalIgnoreCase)
    {
        DockerContainer,
        "https://www.purl.org/ivoa.net/EB/schema/types/executable/docker-container-1.0",
        // Calycopis' Java beans spell the folder in the plural.
        "https://www.purl.org/ivoa.net/EB/schema/types/executables/docker-container-1.0",
        "https://www.purl.org/ivoa.net/EB/schema/v1.0/types/executables/docker-container-1.0",
        // The 2021 ExecutionPlanner note.
        "uri://docker-container",
    };

    public static bool IsDockerContainer(string kind) => Docker.Contains(kind.Trim());
}
