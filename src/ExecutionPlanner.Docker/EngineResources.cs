namespace ExecutionPlanner.Docker;

/// <summary>The machine the engine runs on, as its <c>/info</c> reports it: CPUs and memory in bytes.</summary>
public sealed record EngineResources(int Cores, long MemoryBytes);
