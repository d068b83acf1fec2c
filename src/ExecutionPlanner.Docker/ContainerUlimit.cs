namespace ExecutionPlanner.Docker;

/// <summary>A resource limit as setrlimit(2) takes it, e.g. <c>fsize</c> in bytes.</summary>
public sealed record ContainerUlimit(string Name, long Soft, long Hard);
