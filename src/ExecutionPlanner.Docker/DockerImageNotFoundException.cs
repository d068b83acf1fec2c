using System.Net;

namespace ExecutionPlanner.Docker;

/// <summary>The image named in the call does not exist locally (404 on create or image inspect).</summary>
public sealed class DockerImageNotFoundException : DockerApiException
{
    public DockerImageNotFoundException() { }

    public DockerImageNotFoundException(string message) : base(message) { }

    public DockerImageNotFoundException(string message, Exception innerException) : base(message, innerException) { }

    public DockerImageNotFoundException(string operation, HttpStatusCode statusCode, string engineMessage)
        : base(operation, statusCode, engineMessage) { }
}
