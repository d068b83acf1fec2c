using System.Net;

namespace ExecutionPlanner.Docker;

/// <summary>The engine answered a call with an error status; carries the status and the engine's own message.</summary>
public class DockerApiException : DockerEngineException
{
    public DockerApiException() { }

    public DockerApiException(string message) : base(message) { }

    public DockerApiException(string message, Exception innerException) : base(message, innerException) { }

    public DockerApiException(string operation, HttpStatusCode statusCode, string engineMessage)
        : base($"Docker {operation} failed with {(int)statusCode} {statusCode}: {engineMessage}")
    {
        Operation = operation;
        StatusCode = statusCode;
        EngineMessage = engineMessage;
    }

    /// <summary>What we asked for, e.g. "container create".</summary>
    public string Operation { get; } = "";

    public HttpStatusCode StatusCode { get; }

    /// <summary>The <c>message</c> of the engine's JSON error body (or the raw body if it was not JSON).</summary>
    public string EngineMessage { get; } = "";
}
