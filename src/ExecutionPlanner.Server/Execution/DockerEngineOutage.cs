using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Http;

namespace ExecutionPlanner.Server.Execution;

/// <summary>An engine that cannot be reached answers 503 with Retry-After (see <see cref="DependencyOutage"/>), like the database.</summary>
public sealed class DockerEngineOutage : IUnreachableDependency
{
    public string? AwayIn(Exception exception) => exception is DockerEngineUnavailableException ? "The Docker engine" : null;
}
