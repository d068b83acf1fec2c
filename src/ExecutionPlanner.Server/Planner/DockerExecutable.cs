using ExecutionPlanner.Server.Http;
using System.Text.Json;
using ExecutionPlanner.Server.Jobs;
using static ExecutionPlanner.Server.Planner.RequestValues;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// The docker-container executable's own fields, as every draft writes them: <c>image</c> as a string
/// or <c>{locations, digest, platform}</c>; <c>entrypoint</c>, <c>privileged</c> and
/// <c>network.ports</c>, which this service reads and refuses with a reason (it runs the image's own
/// entrypoint, never privileged, and publishes no ports).
/// </summary>
public static class DockerExecutable
{
    static readonly HashSet<string> Architectures = new(StringComparer.OrdinalIgnoreCase) { "amd64", "x86_64", "x86-64" };

    /// <returns>The image reference; refusals added for what this service will not do.</returns>
    public static string? Read(JsonElement executable, string path, List<Reason> refusals, out string? networkPortsPath)
    {
        networkPortsPath = null;
        if (Boolean(executable, "privileged", $"{path}/privileged") == true)
        {
            refusals.Add(new Reason($"{path}/privileged", "This service never runs a container privileged."));
        }
        if (Member(executable, "entrypoint") is { } entrypoint
            && !(entrypoint.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(entrypoint.GetString()))
            && !(entrypoint.ValueKind == JsonValueKind.Array && entrypoint.GetArrayLength() == 0))
        {
            refusals.Add(new Reason($"{path}/entrypoint",
                "This service runs the image's own entrypoint and cannot replace it; give the program and its arguments in command."));
        }
        if (ObjectOf(executable, "network", $"{path}/network") is { } network
            && Member(network, "ports") is { } ports)
        {
            if (ports.ValueKind != JsonValueKind.Array)
            {
                throw UwsRequestException.BadRequest($"{path}/network/ports must be a list of ports.");
            }
            if (ports.GetArrayLength() > 0)
            {
                networkPortsPath = $"{path}/network/ports";
            }
        }
        if (Member(executable, "image") is not { } image)
        {
            return null;
        }
        if (image.ValueKind == JsonValueKind.String)
        {
            return image.GetString();
        }
        if (image.ValueKind != JsonValueKind.Object)
        {
            throw UwsRequestException.BadRequest($"{path}/image must be an image reference or {{\"locations\": [\"<reference>\"], \"digest\": ..., \"platform\": ...}}.");
        }
        if (ObjectOf(image, "platform", $"{path}/image/platform") is { } platform)
        {
            var os = StringOf(platform, "os", $"{path}/image/platform/os");
            var arch = StringOf(platform, "architecture", $"{path}/image/platform/architecture");
            if (os is not null && !os.Equals("linux", StringComparison.OrdinalIgnoreCase))
            {
                refusals.Add(new Reason($"{path}/image/platform/os", $"This service runs linux images, not '{os}'."));
            }
            if (arch is not null && !Architectures.Contains(arch))
            {
                refusals.Add(new Reason($"{path}/image/platform/architecture", $"This service runs amd64 images, not '{arch}'."));
            }
        }
        var locations = Strings(image, "locations", $"{path}/image/locations");
        var reference = locations.FirstOrDefault() ?? StringOf(image, "location", $"{path}/image/location") ?? StringOf(image, "name", $"{path}/image/name");
        return reference ?? throw UwsRequestException.BadRequest($"{path}/image/locations must list at least one image reference.");
    }
}
