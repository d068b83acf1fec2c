namespace ExecutionPlanner.Docker;

/// <summary>The engine reported an error in the middle of a log stream (a "system error" frame, stream type 3).</summary>
public sealed class DockerLogStreamException : DockerEngineException
{
    public DockerLogStreamException() { }

    public DockerLogStreamException(string message) : base(message) { }

    public DockerLogStreamException(string message, Exception innerException) : base(message, innerException) { }
}
