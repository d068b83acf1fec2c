namespace ExecutionPlanner.Server.Http;

/// <summary>
/// Tells <see cref="DependencyOutage"/> that an exception means a dependency is briefly away, so the request answers
/// 503 with Retry-After instead of 500. Registered by the feature that owns the dependency (Execution: the Docker engine).
/// </summary>
public interface IUnreachableDependency
{
    /// <summary>The dependency's name as the 503 message starts ("The Docker engine") when <paramref name="exception"/> itself says it is away; otherwise null.</summary>
    string? AwayIn(Exception exception);
}
