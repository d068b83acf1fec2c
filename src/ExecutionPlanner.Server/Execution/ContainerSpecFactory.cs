using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Jobs;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Turns a job's validated parameters into a locked-down container: limits from cores and memory
/// (or the node's defaults), a pids limit, no network, all capabilities dropped, no-new-privileges,
/// a non-root user and a read-only root with writable /tmp (tmpfs) and /uws/inputs, /uws/results
/// (volumes, so the archive API can reach them). Operators relax this per image with ImageOverrides.
/// </summary>
public sealed class ContainerSpecFactory(IOptions<ExecutionOptions> execution, IOptionsMonitor<JobsOptions> jobs)
{
    // Compiled once: IOptions is fixed for the process, and this runs for every job.
    readonly (ImagePolicy Policy, ImageOverride Override)[] overrides =
        execution.Value.ImageOverrides.Select(i => (new ImagePolicy([i.Image]), i)).ToArray();

    public const string InputsPath = "/uws/inputs";
    public const string ResultsPath = "/uws/results";

    public ContainerSpec Create(ClaimedJob job, JobSpec spec, ExecutionNode node)
    {
        var o = execution.Value;
        var limits = jobs.CurrentValue;
        var image = overrides.FirstOrDefault(i => i.Policy.Allows(spec.Image)).Override;
        var cores = spec.Cores ?? Math.Min(o.DefaultCores, limits.MaxCores);
        var memory = spec.MemoryBytes ?? Math.Min(o.DefaultMemoryBytes, limits.MaxMemoryBytes);
        var networkMode = image?.NetworkMode ?? "none";
        return new ContainerSpec(spec.Image)
        {
            Cmd = spec.Cmd.Count > 0 ? spec.Cmd : null,
            Env = spec.Env.Select(e => $"{e.Key}={e.Value}").ToList(),
            Labels = new Dictionary<string, string>
            {
                [ContainerLabels.Job] = job.Id,
                [ContainerLabels.Attempt] = job.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [ContainerLabels.Node] = node.Id,
                [ContainerLabels.Instance] = node.Instance,
            },
            User = image?.User ?? o.User,
            WorkingDir = "/uws",
            Volumes = [InputsPath, ResultsPath],
            // No network: also say so in Config, so the engine skips its network sandbox (same isolation, less work).
            NetworkDisabled = networkMode == "none",
            HostConfig = new ContainerHostConfig
            {
                NanoCpus = (long)(cores * 1_000_000_000m),
                Memory = memory,
                MemorySwap = memory,
                PidsLimit = o.PidsLimit,
                NetworkMode = networkMode,
                CapDrop = ["ALL"],
                SecurityOpt = ["no-new-privileges"],
                ReadonlyRootfs = image?.ReadOnlyRootFilesystem ?? true,
                Tmpfs = new Dictionary<string, string> { ["/tmp"] = "rw,nosuid,nodev,size=64m" },
            },
        };
    }
}
