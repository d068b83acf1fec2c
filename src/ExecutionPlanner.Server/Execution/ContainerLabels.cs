namespace ExecutionPlanner.Server.Execution;

/// <summary>Labels on every job container: after a crash, the engine's container list finds them by job.</summary>
public static class ContainerLabels
{
    public const string Job = "org.executionplanner.job";
    public const string Attempt = "org.executionplanner.attempt";
    public const string Node = "org.executionplanner.node";

    /// <summary>The deployment (its database): nodes reconcile and sweep only their own deployment's containers.</summary>
    public const string Instance = "org.executionplanner.instance";

    public static string NameOf(string jobId, int attempt) => $"uws-{jobId}-{attempt}";
}
