namespace ExecutionPlanner.Docker;

/// <summary>What <see cref="DockerEngineClient.WaitContainerAsync"/> waits for.</summary>
/// <remarks>
/// Docker.DotNet.Enhanced sends no <c>condition</c>, so only the engine's default is on offer. The engine also
/// knows next-exit and removed; the server never needed them.
/// </remarks>
public enum ContainerWaitCondition
{
    /// <summary>Returns at once for a container that is not running (created or exited).</summary>
    NotRunning = 0,
}
