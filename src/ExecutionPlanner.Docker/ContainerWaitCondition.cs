namespace ExecutionPlanner.Docker;

/// <summary>What <see cref="DockerEngineClient.WaitAsync"/> waits for.</summary>
public enum ContainerWaitCondition
{
    /// <summary>Returns at once for a container that is not running (created or exited).</summary>
    NotRunning = 0,

    /// <summary>Waits for the next exit, even of a container that has not started yet.</summary>
    NextExit,

    /// <summary>Waits until the container is removed.</summary>
    Removed,
}
