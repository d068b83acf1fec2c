namespace ExecutionPlanner.Docker;

/// <summary>Base of every failure reported by <see cref="DockerEngineClient"/>.</summary>
public class DockerEngineException : Exception
{
    public DockerEngineException() { }

    public DockerEngineException(string message) : base(message) { }

    public DockerEngineException(string message, Exception innerException) : base(message, innerException) { }
}
