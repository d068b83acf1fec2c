using System.Globalization;
using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Store;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Turns a job's validated parameters into a locked-down container that works with any image: limits from cores
/// and memory (or the node's defaults), a pids limit, no network, all capabilities dropped, no-new-privileges and
/// a read-only root. Whatever the image holds at /uws (nothing, root-owned folders, files, a file or a symlink
/// where a folder should be), the job gets an empty volume there, in which <see cref="ContainerRunner"/> makes
/// inputs/ and results/ owned by the job's user; /tmp is a tmpfs owned by that user. Files are bounded by
/// RLIMIT_FSIZE (MaxResultBytes each), /tmp and /dev/shm by their size, and the whole of /uws by
/// <see cref="ResultsSizeGuard"/>. Operators relax this per image with ImageOverrides.
/// </summary>
public sealed class ContainerSpecFactory(IOptions<ExecutionOptions> execution, IOptionsMonitor<JobsOptions> jobs)
{
    // Compiled once: IOptions is fixed for the process, and this runs for every job.
    readonly (ImagePolicy Policy, ImageOverride Override)[] overrides =
        execution.Value.ImageOverrides.Select(i => (new ImagePolicy([i.Image]), i)).ToArray();

    public const string UwsPath = "/uws";
    public const string InputsPath = "/uws/inputs";
    public const string ResultsPath = "/uws/results";

    /// <summary>The operator's override for this image, if one matches (the first that does).</summary>
    public ImageOverride? OverrideFor(string image) => overrides.FirstOrDefault(i => i.Policy.Allows(image)).Override;

    /// <param name="imageFolders">The image ships usable empty job folders (<see cref="ImageJobFolders"/>) and the job has no
    /// uploads: its /uws volume starts as a copy of the image's, and nothing needs to be put in.</param>
    public ContainerSpec Create(ClaimedJob job, JobSpec spec, ExecutionNode node, ImageDetails image, JobUser user, bool imageFolders = false)
    {
        var o = execution.Value;
        var limits = jobs.CurrentValue;
        var imageOverride = OverrideFor(spec.Image);
        var cores = spec.Cores ?? Math.Min(o.DefaultCores, limits.MaxCores);
        var memory = spec.MemoryBytes ?? Math.Min(o.DefaultMemoryBytes, limits.MaxMemoryBytes);
        var networkMode = imageOverride?.NetworkMode ?? "none";
        var env = spec.Env.Select(e => $"{e.Key}={e.Value}").ToList();
        if (user.IsServiceDefault && !spec.Env.Any(e => e.Key == "HOME"))
        {
            // The service's user has no home in the image, and the root is read-only: give it a writable one.
            env.Add("HOME=/tmp");
        }
        return new ContainerSpec(spec.Image)
        {
            Cmd = spec.Cmd.Count > 0 ? spec.Cmd : null,
            Env = env,
            Labels = new Dictionary<string, string>
            {
                [ContainerLabels.Job] = job.Id,
                [ContainerLabels.Attempt] = job.Attempt.ToString(CultureInfo.InvariantCulture),
                [ContainerLabels.Node] = node.Id,
                [ContainerLabels.Instance] = node.Instance,
            },
            User = user.User,
            // The image's own WORKDIR, as its entrypoint may expect; otherwise the job's folder.
            WorkingDir = image.WorkingDir ?? UwsPath,
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
                ReadonlyRootfs = imageOverride?.ReadOnlyRootFilesystem ?? true,
                // A volume at /uws, reachable by the archive API and removed with the container: empty (no copy of
                // what the image has there), unless the image's own /uws is exactly the empty job folders.
                Mounts = [imageFolders ? ContainerMount.ImageVolume(UwsPath) : ContainerMount.EmptyVolume(UwsPath)],
                // Owned by the job's user: the engine gives the tmpfs the mode of the image's /tmp (root 0755 in
                // many images) but not its owner, so the job can always write it.
                Tmpfs = new Dictionary<string, string>
                {
                    ["/tmp"] = FormattableString.Invariant($"rw,nosuid,nodev,size={o.TmpBytes},uid={user.Uid},gid={user.Gid},mode=1777"),
                },
                ShmSize = o.ShmBytes,
                Ulimits = [new ContainerUlimit("fsize", o.MaxResultBytes, o.MaxResultBytes)],
            },
        };
    }
}
