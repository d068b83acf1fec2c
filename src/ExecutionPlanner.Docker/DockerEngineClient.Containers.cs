using System.Net;
using System.Text.Json;

namespace ExecutionPlanner.Docker;

public sealed partial class DockerEngineClient
{
    private static readonly HttpStatusCode[] NotModified = [HttpStatusCode.NotModified];
    private static readonly HttpStatusCode[] ConflictIsAnAnswer = [HttpStatusCode.Conflict];

    /// <summary><c>GET /images/{name}/json</c>. Throws <see cref="DockerImageNotFoundException"/> when absent.</summary>
    public async Task<ImageDetails> InspectImageAsync(string image, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        var wire = await SendJsonAsync<ImageInspectWire>(
            new DockerRequest(HttpMethod.Get, $"/images/{EscapeImageName(image)}/json", "image inspect")
            {
                NotFoundMeans = DockerResourceKind.Image,
            },
            cancellationToken);
        var config = wire.Config;
        return new ImageDetails(
            wire.Id,
            NullIfEmpty(config?.User),
            NullIfEmpty(config?.WorkingDir),
            config?.Env ?? [],
            config?.Cmd ?? [],
            config?.Entrypoint ?? [],
            config?.Labels ?? new Dictionary<string, string>());
    }

    /// <summary>
    /// <c>POST /containers/create?name=</c>. Throws <see cref="DockerImageNotFoundException"/> when the image
    /// is not present (we never pull) and <see cref="DockerConflictException"/> when the name is taken.
    /// </summary>
    public async Task<ContainerCreateResult> CreateContainerAsync(string? name, ContainerSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var body = new ContainerCreateBody(
            spec.Image, spec.Cmd, spec.Entrypoint, spec.Env, spec.Labels, spec.User, spec.WorkingDir,
            spec.StopSignal, spec.StopTimeout,
            spec.Volumes?.ToDictionary(v => v, _ => new object(), StringComparer.Ordinal), spec.HostConfig,
            spec.NetworkDisabled ? true : null);
        var wire = await SendJsonAsync<CreateResponseWire>(
            new DockerRequest(HttpMethod.Post, "/containers/create", "container create")
            {
                Query = name is null ? null : "name=" + Escape(name),
                Content = JsonBody(body),
                NotFoundMeans = DockerResourceKind.Image,
            },
            cancellationToken);
        return new ContainerCreateResult(wire.Id, wire.Warnings ?? []);
    }

    /// <summary>Starts the container; false when it was already running (304).</summary>
    public async Task<bool> StartContainerAsync(string id, CancellationToken cancellationToken) =>
        await SendForStatusAsync(
            ContainerRequest(HttpMethod.Post, id, "/start", "container start") with { AcceptedStatuses = NotModified },
            cancellationToken) != HttpStatusCode.NotModified;

    /// <summary>
    /// Blocks until the condition holds; no request timeout applies, so bound it with the token.
    /// </summary>
    public async Task<ContainerWaitResult> WaitContainerAsync(
        string id, ContainerWaitCondition condition, CancellationToken cancellationToken)
    {
        var wire = await SendJsonAsync<WaitResponseWire>(
            ContainerRequest(HttpMethod.Post, id, "/wait", "container wait") with
            {
                Query = "condition=" + ConditionName(condition),
                WithoutTimeout = true,
            },
            cancellationToken);
        return new ContainerWaitResult(wire.StatusCode, NullIfEmpty(wire.Error?.Message));
    }

    /// <summary>Sends a signal; false when the container is not running (409), which is not an error for us.</summary>
    public async Task<bool> KillContainerAsync(string id, string signal, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(signal);
        return await SendForStatusAsync(
            ContainerRequest(HttpMethod.Post, id, "/kill", "container kill") with
            {
                Query = "signal=" + Escape(signal),
                AcceptedStatuses = ConflictIsAnAnswer,
            },
            cancellationToken) != HttpStatusCode.Conflict;
    }

    /// <summary>
    /// Stop signal, then SIGKILL after <paramref name="gracePeriod"/> (null: the container's own default).
    /// False when it was already stopped (304). Blocks for up to the grace period, so no request timeout applies.
    /// </summary>
    public async Task<bool> StopContainerAsync(string id, TimeSpan? gracePeriod, CancellationToken cancellationToken) =>
        await SendForStatusAsync(
            ContainerRequest(HttpMethod.Post, id, "/stop", "container stop") with
            {
                Query = gracePeriod is { } grace ? "t=" + (long)Math.Ceiling(grace.TotalSeconds) : null,
                AcceptedStatuses = NotModified,
                WithoutTimeout = true,
            },
            cancellationToken) != HttpStatusCode.NotModified;

    /// <summary>
    /// Removes the container. <paramref name="force"/> kills a running one first; <paramref name="removeVolumes"/>
    /// also removes its anonymous volumes. 409 (running without force, or removal already in progress) is a
    /// <see cref="DockerConflictException"/>.
    /// </summary>
    public async Task RemoveContainerAsync(string id, bool force, bool removeVolumes, CancellationToken cancellationToken) =>
        await SendForStatusAsync(
            ContainerRequest(HttpMethod.Delete, id, "", "container remove") with
            {
                Query = $"force={Flag(force)}&v={Flag(removeVolumes)}",
            },
            cancellationToken);

    public async Task<ContainerDetails> InspectContainerAsync(string id, CancellationToken cancellationToken)
    {
        var wire = await SendJsonAsync<ContainerInspectWire>(
            ContainerRequest(HttpMethod.Get, id, "/json", "container inspect"), cancellationToken);
        var state = wire.State;
        return new ContainerDetails(
            wire.Id,
            (wire.Name ?? "").TrimStart('/'),
            wire.Config?.Image ?? wire.Image ?? "",
            new ContainerState(
                state?.Status ?? "",
                state?.Running ?? false,
                state?.ExitCode ?? 0,
                state?.OomKilled ?? false,
                NullIfEmpty(state?.Error),
                UnlessUnset(state?.StartedAt),
                UnlessUnset(state?.FinishedAt)),
            wire.Config?.Labels ?? new Dictionary<string, string>(),
            wire.Config?.Tty ?? false)
        {
            ImageId = wire.Image ?? "",
        };
    }

    /// <summary>
    /// All containers (running or not) matching every label filter: <c>key</c> (label present) or <c>key=value</c>.
    /// </summary>
    public async Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(
        IReadOnlyCollection<string> labelFilters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labelFilters);
        var filters = JsonSerializer.Serialize(new Dictionary<string, IReadOnlyCollection<string>> { ["label"] = labelFilters });
        var wire = await SendJsonAsync<List<ContainerSummaryWire>>(
            new DockerRequest(HttpMethod.Get, "/containers/json", "container list")
            {
                Query = "all=1&filters=" + Escape(filters),
            },
            cancellationToken);
        return wire.Select(c => new ContainerSummary(
                c.Id,
                (c.Names ?? []).Select(n => n.TrimStart('/')).ToList(),
                c.Image ?? "",
                c.State ?? "",
                c.Status ?? "",
                c.Labels ?? new Dictionary<string, string>(),
                DateTimeOffset.FromUnixTimeSeconds(c.Created)))
            .ToList();
    }

    /// <summary>
    /// Copies the container's stdout and stderr (it must have been created without a TTY, as
    /// <see cref="CreateContainerAsync"/> always does) to the two streams, keeping the first bytes up to the limits.
    /// With <see cref="ContainerLogsOptions.Follow"/> this returns when the container exits.
    /// The request timeout covers only the response headers; the copy is bounded by the token.
    /// </summary>
    public async Task<LogCopyResult> CopyLogsAsync(
        string id, Stream stdout, Stream stderr, ContainerLogsOptions? options, CancellationToken cancellationToken)
    {
        options ??= ContainerLogsOptions.Default;
        using var response = await SendAsync(
            ContainerRequest(HttpMethod.Get, id, "/logs", "container logs") with
            {
                Query = "stdout=1&stderr=1&follow=" + Flag(options.Follow),
                WithoutTimeout = options.Follow,
            },
            cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await DockerLogDemultiplexer.CopyAsync(body, stdout, stderr, options.Limits, cancellationToken);
    }

    private static DockerRequest ContainerRequest(HttpMethod method, string id, string suffix, string operation)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return new DockerRequest(method, $"/containers/{Escape(id)}{suffix}", operation)
        {
            NotFoundMeans = DockerResourceKind.Container,
        };
    }

    // Image references contain '/' and ':' which the engine's router expects literally; escape the rest.
    private static string EscapeImageName(string image) =>
        string.Join('/', image.Split('/').Select(segment => Escape(segment).Replace("%3A", ":", StringComparison.Ordinal)));

    private static string ConditionName(ContainerWaitCondition condition) => condition switch
    {
        ContainerWaitCondition.NotRunning => "not-running",
        ContainerWaitCondition.NextExit => "next-exit",
        ContainerWaitCondition.Removed => "removed",
        _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, "Unknown wait condition."),
    };

    private static string Flag(bool value) => value ? "1" : "0";

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    // The engine writes the zero time (0001-01-01T00:00:00Z) for "never started" / "never finished".
    private static DateTimeOffset? UnlessUnset(DateTimeOffset? value) =>
        value is { } time && time.Year > 1 ? time : null;
}
