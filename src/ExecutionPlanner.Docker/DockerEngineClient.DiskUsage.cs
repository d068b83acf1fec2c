namespace ExecutionPlanner.Docker;

public sealed partial class DockerEngineClient
{
    /// <summary>
    /// <c>GET /system/df</c>, reduced to the volumes mounted in containers that carry <paramref name="label"/>.
    /// The engine measures every volume by walking it, so the cost grows with what the volumes hold: call it
    /// every few seconds, not per request. (API 1.42 can restrict it to volumes; 1.41 cannot.)
    /// </summary>
    public async Task<IReadOnlyList<VolumeUsage>> GetVolumeUsageAsync(string label, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        var wire = await SendJsonAsync<DiskUsageWire>(new DockerRequest(HttpMethod.Get, "/system/df", "disk usage"), cancellationToken);
        var sizes = (wire.Volumes ?? []).ToDictionary(v => v.Name, v => v.UsageData?.Size ?? -1, StringComparer.Ordinal);
        var usage = new List<VolumeUsage>();
        foreach (var container in wire.Containers ?? [])
        {
            if (container.Labels is not { } labels || !labels.ContainsKey(label))
            {
                continue;
            }
            foreach (var mount in container.Mounts ?? [])
            {
                if (mount is { Type: "volume", Name: { } name, Destination: { } destination })
                {
                    usage.Add(new VolumeUsage(container.Id, labels, destination, sizes.GetValueOrDefault(name, -1)));
                }
            }
        }
        return usage;
    }
}
