using System.Net;

namespace ExecutionPlanner.Docker;

/// <summary>No container with that id or name (404 on a container operation).</summary>
public sealed class DockerContainerNotFoundException : DockerApiException
{
    public DockerContainerNotFoundException() { }

    public DockerContainerNotFoundException(string message) : base(message) { }

    public DockerContainerNotFoundException(string message, Exception innerException) : base(message, innerException) { }

    public DockerContainerNotFoundException(string operation, HttpStatusCode statusCode, string engineMessage)
        : base(operation, statusCode, engineMessage) { }
}
