using System.Net;

namespace ExecutionPlanner.Docker;

/// <summary>
/// One call to the Engine API, as <see cref="DockerEngineClient.SendAsync"/> takes it.
/// <paramref name="Path"/> is without the version prefix (e.g. <c>/containers/abc/start</c>).
/// <paramref name="Operation"/> names the call in error messages (e.g. "container start").
/// </summary>
public sealed record DockerRequest(HttpMethod Method, string Path, string Operation)
{
    /// <summary>The query string without the leading '?', its values already escaped.</summary>
    public string? Query { get; init; }

    public HttpContent? Content { get; init; }

    /// <summary>What a 404 means for this call, so it maps to the specific not-found exception.</summary>
    public DockerResourceKind NotFoundMeans { get; init; }

    /// <summary>
    /// Statuses outside 2xx that are answers, not errors, for this call (e.g. 304 for start);
    /// the response is returned to the caller instead of being turned into an exception.
    /// </summary>
    public IReadOnlyCollection<HttpStatusCode> AcceptedStatuses { get; init; } = [];

    /// <summary>True for calls that block by design (wait, stop, logs with follow, archive transfers).</summary>
    public bool WithoutTimeout { get; init; }

    /// <summary>True for the calls made before the version is known (<c>/_ping</c>, <c>/version</c>).</summary>
    public bool Unversioned { get; init; }
}
