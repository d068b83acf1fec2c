namespace ExecutionPlanner.Docker;

/// <summary>The new container's id and the engine's warnings (e.g. a limit the kernel cannot enforce).</summary>
public sealed record ContainerCreateResult(string Id, IReadOnlyList<string> Warnings);
