using System.Text.Json;
using static ExecutionPlanner.Server.Planner.RequestValues;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// Volume mounts (<c>compute.volumes</c>, or <c>volumes</c> beside compute): this service places each
/// data resource at /uws/inputs/&lt;name&gt; and gives scratch storage as the container's own disk, so a
/// mount is answered YES when it asks for exactly that, and NO with a reason that says where the data
/// would be when it asks for another path.
/// </summary>
public static class VolumeMounts
{
    const string Inputs = "/uws/inputs";

    public static void Check(List<(JsonElement Item, string Path)> volumes, List<DataInput> inputs, List<string> storageNames, List<Reason> refusals)
    {
        foreach (var (volume, path) in volumes)
        {
            var (kind, kindPath) = Kind(volume, path);
            if (kind is not null && !ResourceKinds.IsVolumeMount(kind))
            {
                refusals.Add(new Reason(kindPath, $"The volume mount kind '{kind}' is not one this service knows; it knows simple volume mounts."));
                continue;
            }
            var target = (StringOf(volume, "path", $"{path}/path") ?? string.Empty).TrimEnd('/');
            var resource = StringOf(volume, "resource", $"{path}/resource") ?? StringOf(volume, "data", $"{path}/data");
            if (resource is null)
            {
                refusals.Add(new Reason(path, "The volume mount names no resource to mount."));
                continue;
            }
            if (inputs.FirstOrDefault(i => i.Name == resource || i.Reference == resource) is { } input)
            {
                var place = $"{Inputs}/{input.Name}";
                if (target != place && target != Inputs)
                {
                    refusals.Add(new Reason($"{path}/path",
                        $"This service places the data resource '{resource}' at {place}; it cannot mount it at '{target}'."));
                }
                continue;
            }
            if (storageNames.Contains(resource))
            {
                if (!(target.StartsWith("/tmp", StringComparison.Ordinal) || target.StartsWith("/uws/results", StringComparison.Ordinal)))
                {
                    refusals.Add(new Reason($"{path}/path",
                        $"Scratch storage here is the container's own disk, writable under /tmp and /uws/results; it cannot be mounted at '{target}'."));
                }
                continue;
            }
            refusals.Add(new Reason($"{path}/resource", $"The volume mount names '{resource}', which is no data or storage resource of this request."));
        }
    }
}
