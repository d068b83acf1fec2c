using System.Globalization;
using Docker.DotNet.Models;

namespace ExecutionPlanner.Docker;

public sealed partial class DockerEngineClient
{
    /// <summary>Image inspect. Throws <see cref="DockerImageNotFoundException"/> when absent.</summary>
    public async Task<ImageDetails> InspectImageAsync(string image, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        var inspected = await CallAsync("image inspect", DockerResourceKind.Image,
            (docker, ct) => docker.Images.InspectImageAsync(image, ct), cancellationToken);
        var config = inspected.Config;
        return new ImageDetails(
            inspected.ID,
            NullIfEmpty(config?.User),
            NullIfEmpty(config?.WorkingDir),
            ListOrEmpty(config?.Env),
            ListOrEmpty(config?.Cmd),
            ListOrEmpty(config?.Entrypoint),
            DictionaryOrEmpty(config?.Labels));
    }

    /// <summary>
    /// Container create. Throws <see cref="DockerImageNotFoundException"/> when the image is not present
    /// (we never pull) and <see cref="DockerConflictException"/> when the name is taken.
    /// </summary>
    public async Task<ContainerCreateResult> CreateContainerAsync(string? name, ContainerSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parameters = ContainerParameters.From(name, spec);
        var created = await CallAsync("container create", DockerResourceKind.Image,
            (docker, ct) => docker.Containers.CreateContainerAsync(parameters, ct), cancellationToken);
        return new ContainerCreateResult(created.ID, ListOrEmpty(created.Warnings));
    }

    /// <summary>Starts the container; false when it was already running (304).</summary>
    public Task<bool> StartContainerAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return CallAsync("container start", DockerResourceKind.Container,
            (docker, ct) => docker.Containers.StartContainerAsync(id, null, ct), cancellationToken);
    }

    /// <summary>
    /// Blocks until the condition holds; no request timeout applies, so bound it with the token.
    /// </summary>
    public async Task<ContainerWaitResult> WaitContainerAsync(
        string id, ContainerWaitCondition condition, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (condition != ContainerWaitCondition.NotRunning)
        {
            throw new ArgumentOutOfRangeException(nameof(condition), condition, "Unknown wait condition.");
        }
        var waited = await CallAsync("container wait", DockerResourceKind.Container,
            (docker, ct) => docker.Containers.WaitContainerAsync(id, ct), cancellationToken, withoutTimeout: true);
        return new ContainerWaitResult(waited.StatusCode, NullIfEmpty(waited.Error?.Message));
    }

    /// <summary>Sends a signal; false when the container is not running (409), which is not an error for us.</summary>
    public async Task<bool> KillContainerAsync(string id, string signal, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(signal);
        try
        {
            await CallAsync("container kill", DockerResourceKind.Container,
                (docker, ct) => docker.Containers.KillContainerAsync(id, new ContainerKillParameters { Signal = signal }, ct),
                cancellationToken);
            return true;
        }
        catch (DockerConflictException)
        {
            return false;
        }
    }

    /// <summary>
    /// Stop signal, then SIGKILL after <paramref name="gracePeriod"/> (null: the container's own default).
    /// False when it was already stopped (304). Blocks for up to the grace period, so no request timeout applies.
    /// </summary>
    public Task<bool> StopContainerAsync(string id, TimeSpan? gracePeriod, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var parameters = new ContainerStopParameters
        {
            WaitBeforeKillSeconds = gracePeriod is { } grace ? (uint)Math.Ceiling(grace.TotalSeconds) : null,
        };
        return CallAsync("container stop", DockerResourceKind.Container,
            (docker, ct) => docker.Containers.StopContainerAsync(id, parameters, ct), cancellationToken, withoutTimeout: true);
    }

    /// <summary>
    /// Removes the container. <paramref name="force"/> kills a running one first; <paramref name="removeVolumes"/>
    /// also removes its anonymous volumes. 409 (running without force, or removal already in progress) is a
    /// <see cref="DockerConflictException"/>.
    /// </summary>
    public Task RemoveContainerAsync(string id, bool force, bool removeVolumes, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var parameters = new ContainerRemoveParameters { Force = force, RemoveVolumes = removeVolumes };
        return CallAsync("container remove", DockerResourceKind.Container,
            (docker, ct) => docker.Containers.RemoveContainerAsync(id, parameters, ct), cancellationToken);
    }

    public async Task<ContainerDetails> InspectContainerAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var inspected = await CallAsync("container inspect", DockerResourceKind.Container,
            (docker, ct) => docker.Containers.InspectContainerAsync(id, ct), cancellationToken);
        var state = inspected.State;
        return new ContainerDetails(
            inspected.ID,
            (inspected.Name ?? "").TrimStart('/'),
            NullIfEmpty(inspected.Config?.Image) ?? inspected.Image ?? "",
            new ContainerState(
                state?.Status ?? "",
                state?.Running ?? false,
                state?.ExitCode ?? 0,
                state?.OOMKilled ?? false,
                NullIfEmpty(state?.Error),
                EngineTime(state?.StartedAt),
                EngineTime(state?.FinishedAt)),
            DictionaryOrEmpty(inspected.Config?.Labels),
            inspected.Config?.Tty ?? false)
        {
            ImageId = inspected.Image ?? "",
        };
    }

    /// <summary>
    /// All containers (running or not) matching every label filter: <c>key</c> (label present) or <c>key=value</c>.
    /// </summary>
    public async Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(
        IReadOnlyCollection<string> labelFilters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labelFilters);
        var parameters = new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = labelFilters.ToDictionary(filter => filter, _ => true, StringComparer.Ordinal),
            },
        };
        var listed = await CallAsync("container list", DockerResourceKind.None,
            (docker, ct) => docker.Containers.ListContainersAsync(parameters, ct), cancellationToken);
        return listed.Select(c => new ContainerSummary(
                c.ID,
                (c.Names ?? []).Select(n => n.TrimStart('/')).ToList(),
                c.Image ?? "",
                c.State ?? "",
                c.Status ?? "",
                DictionaryOrEmpty(c.Labels),
                new DateTimeOffset(DateTime.SpecifyKind(c.Created, DateTimeKind.Utc))))
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
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        options ??= ContainerLogsOptions.Default;
        var parameters = new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Follow = options.Follow };
        using var logs = await CallAsync("container logs", DockerResourceKind.Container,
            (docker, ct) => docker.Containers.GetContainerLogsAsync(id, parameters, ct), cancellationToken,
            withoutTimeout: options.Follow);
        return await LimitedLogCopy.CopyAsync(logs, stdout, stderr, options.Limits, cancellationToken);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static IReadOnlyList<string> ListOrEmpty(IList<string>? values) => values is null ? [] : [.. values];

    private static Dictionary<string, string> DictionaryOrEmpty(IDictionary<string, string>? values) =>
        values is null ? new Dictionary<string, string>() : new Dictionary<string, string>(values, StringComparer.Ordinal);

    // The engine writes RFC 3339 with nanoseconds, and the zero time (0001-01-01T00:00:00Z) for "never started" /
    // "never finished". .NET keeps 7 fractional digits, so the rest are dropped before parsing.
    private static DateTimeOffset? EngineTime(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < value.Length && char.IsAsciiDigit(value[end]))
            {
                end++;
            }
            if (end - dot - 1 > 7)
            {
                value = string.Concat(value.AsSpan(0, dot + 8), value.AsSpan(end));
            }
        }
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) && time.Year > 1
            ? time
            : null;
    }
}
