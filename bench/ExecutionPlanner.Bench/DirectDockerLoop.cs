using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace ExecutionPlanner.Bench;

/// <summary>
/// The yardstick of issue 9: the container work of a trivial job done directly through Docker.DotNet, with no UWS,
/// queue or database: create (the job's isolation: read-only root, no network, no capabilities, limits, a /uws
/// volume copied from the image, a /tmp tmpfs), start, wait, read the logs, download /uws/results, remove.
/// </summary>
public sealed class DirectDockerLoop(Uri endpoint, System.Version apiVersion, string image, IReadOnlyDictionary<string, string> labels) : IDisposable
{
    readonly DockerClient client = new DockerClientBuilder().WithEndpoint(endpoint).WithApiVersion(apiVersion).Build();

    /// <summary>One run; returns milliseconds from the create call to the removal.</summary>
    public async Task<double> RunAsync(string seq, string seqLabel, CancellationToken ct)
    {
        var t0 = Stopwatch.GetTimestamp();
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Cmd = ["true"],
            User = "65534:65534",
            WorkingDir = "/uws",
            NetworkDisabled = true,
            Labels = new Dictionary<string, string>(labels) { [seqLabel] = seq },
            HostConfig = new HostConfig
            {
                NanoCPUs = 1_000_000_000,
                Memory = 1L << 30,
                MemorySwap = 1L << 30,
                PidsLimit = 256,
                NetworkMode = "none",
                CapDrop = ["ALL"],
                SecurityOpt = ["no-new-privileges"],
                ReadonlyRootfs = true,
                Mounts = [new Mount { Type = "volume", Target = "/uws" }],
                Tmpfs = new Dictionary<string, string> { ["/tmp"] = "rw,nosuid,nodev,size=67108864,uid=65534,gid=65534,mode=1777" },
            },
        }, ct);
        try
        {
            await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), ct);
            await client.Containers.WaitContainerAsync(created.ID, ct);
            using (var logs = await client.Containers.GetContainerLogsAsync(created.ID,
                new ContainerLogsParameters { ShowStdout = true, ShowStderr = true }, ct))
            {
                await logs.ReadOutputToEndAsync(ct);
            }
            var archive = await client.Containers.GetArchiveFromContainerAsync(created.ID,
                new ContainerPathStatParameters { Path = "/uws/results" }, statOnly: false, ct);
            using (var tar = archive.Stream ?? throw new InvalidOperationException("the engine sent no archive of /uws/results"))
            {
                await tar.CopyToAsync(Stream.Null, ct);
            }
        }
        finally
        {
            await client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, CancellationToken.None);
        }
        return Stats.Ms(t0, Stopwatch.GetTimestamp());
    }

    public void Dispose() => client.Dispose();
}
