namespace ExecutionPlanner.Docker;

/// <summary>The engine's API version range and ours do not overlap, or the engine rejected the negotiated version.</summary>
public sealed class DockerEngineVersionException : DockerEngineException
{
    public DockerEngineVersionException() { }

    public DockerEngineVersionException(string message) : base(message) { }

    public DockerEngineVersionException(string message, Exception innerException) : base(message, innerException) { }
}
