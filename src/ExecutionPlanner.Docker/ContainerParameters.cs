using Docker.DotNet.Models;

namespace ExecutionPlanner.Docker;

/// <summary>Translates our <see cref="ContainerSpec"/> into the library's create parameters.</summary>
internal static class ContainerParameters
{
    public static CreateContainerParameters From(string? name, ContainerSpec spec)
    {
        var host = spec.HostConfig;
        return new CreateContainerParameters
        {
            Name = name,
            Image = spec.Image,
            Cmd = ListOrNull(spec.Cmd),
            Entrypoint = ListOrNull(spec.Entrypoint),
            Env = ListOrNull(spec.Env),
            Labels = spec.Labels is null ? null! : new Dictionary<string, string>(spec.Labels, StringComparer.Ordinal),
            User = spec.User ?? "",
            WorkingDir = spec.WorkingDir ?? "",
            StopSignal = spec.StopSignal,
            StopTimeout = spec.StopTimeout is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            Volumes = spec.Volumes?.ToDictionary(v => v, _ => default(EmptyStruct), StringComparer.Ordinal)!,
            NetworkDisabled = spec.NetworkDisabled ? true : null,
            // Without a TTY the output is multiplexed, which is what lets us separate stdout from stderr.
            Tty = false,
            OpenStdin = false,
            AttachStdin = false,
            HostConfig = host is null ? null : HostConfigFrom(host),
        };
    }

    private static HostConfig HostConfigFrom(ContainerHostConfig host) => new()
    {
        Memory = host.Memory ?? 0,
        MemorySwap = host.MemorySwap ?? 0,
        NanoCPUs = host.NanoCpus ?? 0,
        PidsLimit = host.PidsLimit,
        NetworkMode = host.NetworkMode ?? "",
        CapDrop = ListOrNull(host.CapDrop),
        CapAdd = ListOrNull(host.CapAdd),
        SecurityOpt = ListOrNull(host.SecurityOpt),
        ReadonlyRootfs = host.ReadonlyRootfs ?? false,
        Tmpfs = host.Tmpfs is null ? null : new Dictionary<string, string>(host.Tmpfs, StringComparer.Ordinal),
        Init = host.Init,
        Mounts = host.Mounts?.Select(m => new Mount
        {
            Type = m.Type,
            Target = m.Target,
            VolumeOptions = m.VolumeOptions is { } volume ? new VolumeOptions { NoCopy = volume.NoCopy } : null,
        }).ToList(),
        ShmSize = host.ShmSize ?? 0,
        Ulimits = host.Ulimits?.Select(u => new Ulimit { Name = u.Name, Soft = u.Soft, Hard = u.Hard }).ToList()!,
    };

    // The library's non-nullable list properties are still left out of the request when null.
    private static List<string> ListOrNull(IReadOnlyList<string>? values) => values is null ? null! : [.. values];
}
