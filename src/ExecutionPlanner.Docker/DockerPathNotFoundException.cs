using System.Net;

namespace ExecutionPlanner.Docker;

/// <summary>The path inside the container does not exist (404 on an archive upload).</summary>
public sealed class DockerPathNotFoundException : DockerApiException
{
    public DockerPathNotFoundException() { }

    public DockerPathNotFoundException(string message) : base(message) { }

    public DockerPathNotFoundException(string message, Exception innerException) : base(message, innerException) { }

    public DockerPathNotFoundException(string operation, HttpStatusCode statusCode, string engineMessage)
        : base(operation, statusCode, engineMessage) { }
}
