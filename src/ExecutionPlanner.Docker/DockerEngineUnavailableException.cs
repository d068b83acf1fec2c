namespace ExecutionPlanner.Docker;

/// <summary>The engine could not be reached at all: socket missing, connection refused, host unknown.</summary>
public sealed class DockerEngineUnavailableException : DockerEngineException
{
    public DockerEngineUnavailableException() { }

    public DockerEngineUnavailableException(string message) : base(message) { }

    public DockerEngineUnavailableException(string message, Exception innerException) : base(message, innerException) { }

    public DockerEngineUnavailableException(Uri endpoint, string reason, Exception innerException)
        : base($"The Docker engine at {endpoint} is not reachable: {reason}", innerException)
    {
        Endpoint = endpoint;
    }

    public Uri? Endpoint { get; }
}
