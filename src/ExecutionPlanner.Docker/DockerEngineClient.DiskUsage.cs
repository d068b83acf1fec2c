using System.Net;
using System.Net.Http.Json;
using Docker.DotNet.Handler.Abstractions;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExecutionPlanner.Docker;

public sealed partial class DockerEngineClient
{
    /// <summary>
    /// The newest API version whose <c>/system/df</c> answer still has the top-level <c>Volumes</c> and
    /// <c>Containers</c> lists (API 1.52 moved them into <c>VolumeUsage</c>/<c>ContainerUsage</c>).
    /// </summary>
    private static readonly Version LegacyDiskUsageApiVersion = new(1, 51);

    private readonly Lazy<HttpClient> diskUsageHttp;

    /// <summary>
    /// <c>GET /system/df</c>, reduced to the volumes mounted in containers that carry <paramref name="label"/>.
    /// The engine measures every volume by walking it, so the cost grows with what the volumes hold: call it
    /// every few seconds, not per request. (API 1.42 can restrict it to volumes; 1.41 cannot.)
    /// </summary>
    /// <remarks>
    /// The one request not made through the library: Docker.DotNet.Enhanced 4.3.3 models only the API 1.52+
    /// shape of this answer, so against API 1.41 its <c>GetDataUsageInfoAsync</c> comes back empty. The request
    /// is sent through the library's own transport for our endpoint, pinned to at most API 1.51, and reads only
    /// the fields below.
    /// </remarks>
    public async Task<IReadOnlyList<VolumeUsage>> GetVolumeUsageAsync(string label, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        var disk = await CallAsync("disk usage", DockerResourceKind.None, async (_, ct) =>
        {
            var negotiated = ApiVersion ?? MinimumApiVersion;
            var version = negotiated < LegacyDiskUsageApiVersion ? negotiated : LegacyDiskUsageApiVersion;
            using var response = await diskUsageHttp.Value.GetAsync(new Uri($"v{version}/system/df", UriKind.Relative), ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new DockerApiException("disk usage", response.StatusCode, EngineMessage(await response.Content.ReadAsStringAsync(ct)));
            }
            return await response.Content.ReadFromJsonAsync<DiskUsageWire>(ct)
                ?? throw new DockerApiException("disk usage", HttpStatusCode.OK, "the engine answered with an empty body");
        }, cancellationToken);

        var sizes = (disk.Volumes ?? []).ToDictionary(v => v.Name, v => v.UsageData?.Size ?? -1, StringComparer.Ordinal);
        var usage = new List<VolumeUsage>();
        foreach (var container in disk.Containers ?? [])
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

    private HttpClient CreateDiskUsageHttp()
    {
        var factory = options.Endpoint.Scheme == "unix"
            ? global::Docker.DotNet.Unix.DockerHandlerFactory.Instance
            : (IDockerHandlerFactory)global::Docker.DotNet.NativeHttp.DockerHandlerFactory.Instance;
        var transport = factory.CreateHandler(new ResolvedClientOptions { Endpoint = options.Endpoint }, NullLogger.Instance);
        return new HttpClient(transport.Handler) { BaseAddress = transport.EffectiveEndpoint, Timeout = Timeout.InfiniteTimeSpan };
    }

#pragma warning disable CA1812 // Instantiated by System.Text.Json.
    private sealed record DiskUsageWire(IReadOnlyList<DiskUsageContainerWire>? Containers, IReadOnlyList<DiskUsageVolumeWire>? Volumes);

    private sealed record DiskUsageContainerWire(string Id, IReadOnlyDictionary<string, string>? Labels, IReadOnlyList<MountPointWire>? Mounts);

    private sealed record MountPointWire(string? Type, string? Name, string? Destination);

    private sealed record DiskUsageVolumeWire(string Name, VolumeUsageWire? UsageData);

    private sealed record VolumeUsageWire(long Size);
#pragma warning restore CA1812
}
