using System.Net;

namespace ExecutionPlanner.Docker;

/// <summary>The engine refused because of the container's state or name (409), e.g. a name already in use or removal in progress.</summary>
public sealed class DockerConflictException : DockerApiException
{
    public DockerConflictException() { }

    public DockerConflictException(string message) : base(message) { }

    public DockerConflictException(string message, Exception innerException) : base(message, innerException) { }

    public DockerConflictException(string operation, HttpStatusCode statusCode, string engineMessage)
        : base(operation, statusCode, engineMessage) { }
}
