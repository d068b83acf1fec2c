namespace ExecutionPlanner.Docker;

public sealed partial class DockerEngineClient
{
    /// <summary><c>GET /info</c>, reduced to how many CPUs and how much memory the engine's machine has.</summary>
    public async Task<EngineResources> GetEngineResourcesAsync(CancellationToken cancellationToken)
    {
        var info = await CallAsync("system info", DockerResourceKind.None,
            (docker, ct) => docker.System.GetSystemInfoAsync(ct), cancellationToken);
        return new EngineResources((int)info.NCPU, info.MemTotal);
    }
}
