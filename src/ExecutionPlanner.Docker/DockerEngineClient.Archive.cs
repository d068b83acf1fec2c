using System.Net;
using System.Net.Http.Headers;

namespace ExecutionPlanner.Docker;

public sealed partial class DockerEngineClient
{
    private static readonly HttpStatusCode[] NotFoundIsAnAnswer = [HttpStatusCode.NotFound];
    private const string PathStatHeader = "X-Docker-Container-Path-Stat";

    /// <summary>
    /// Extracts the tar stream into the directory <paramref name="path"/> of the container (which must exist;
    /// a created, not yet started container is fine). Entries keep the uid/gid of their tar headers.
    /// Throws <see cref="DockerPathNotFoundException"/> when the directory is missing and
    /// <see cref="DockerContainerNotFoundException"/> when the container is. No request timeout applies:
    /// the transfer takes as long as its size needs, so bound it with the token.
    /// </summary>
    public async Task PutArchiveAsync(string id, string path, Stream tar, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(tar);
        using var content = new StreamContent(tar);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var response = await SendAsync(
            ContainerRequest(HttpMethod.Put, id, "/archive", "archive upload") with
            {
                Query = "path=" + Escape(path),
                Content = content,
                AcceptedStatuses = NotFoundIsAnAnswer,
                WithoutTimeout = true,
            },
            cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw await ArchiveNotFoundAsync(response, "archive upload", cancellationToken);
        }
    }

    /// <summary>
    /// Returns a tar of <paramref name="path"/> in the container (running or stopped), or <b>null when the
    /// path does not exist</b>: a job that wrote no results is an ordinary outcome, not an error. The tar
    /// of <c>/dir</c> holds entries <c>dir/…</c>; ask for <c>/dir/.</c> to get <c>./…</c> (the contents only).
    /// The caller disposes the stream, which releases the connection; reading it is bounded by the caller's token.
    /// Throws <see cref="DockerContainerNotFoundException"/> when the container does not exist.
    /// </summary>
    public async Task<Stream?> GetArchiveAsync(string id, string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var response = await SendAsync(
            ContainerRequest(HttpMethod.Get, id, "/archive", "archive download") with
            {
                Query = "path=" + Escape(path),
                AcceptedStatuses = NotFoundIsAnAnswer,
            },
            cancellationToken);
        try
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                var error = await ArchiveNotFoundAsync(response, "archive download", cancellationToken);
                if (error is DockerContainerNotFoundException)
                {
                    throw error;
                }
                response.Dispose();
                return null;
            }
            var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return new ResponseStream(response, body);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Describes <paramref name="path"/> in the container (running or stopped) without copying it
    /// (<c>HEAD …/archive</c>, the <c>X-Docker-Container-Path-Stat</c> header), or returns <b>null when the path does not
    /// exist</b>. Cheap next to <see cref="GetArchiveAsync"/>: the engine starts no tar process for it.
    /// Throws <see cref="DockerContainerNotFoundException"/> when the container does not exist.
    /// </summary>
    public async Task<ContainerPathStat?> StatPathAsync(string id, string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var request = ContainerRequest(HttpMethod.Head, id, "/archive", "archive stat") with
        {
            Query = "path=" + Escape(path),
            AcceptedStatuses = NotFoundIsAnAnswer,
        };
        using var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            // A HEAD answer has no body, so no message tells a missing container from a missing path.
            await InspectContainerAsync(id, cancellationToken);
            return null;
        }
        return response.Headers.TryGetValues(PathStatHeader, out var values) && values.FirstOrDefault() is { } encoded
            ? ContainerPathStat.FromHeader(encoded)
            : throw new DockerApiException(request.Operation, response.StatusCode, $"the engine sent no {PathStatHeader} header");
    }

    // The archive endpoints answer 404 both for a missing container and for a missing path; only the
    // engine's message tells them apart ("No such container: x" vs "Could not find the file /p in container x").
    private static async Task<DockerApiException> ArchiveNotFoundAsync(
        HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        var message = await ReadErrorMessageAsync(response, cancellationToken);
        return message.Contains("No such container", StringComparison.OrdinalIgnoreCase)
            ? new DockerContainerNotFoundException(operation, response.StatusCode, message)
            : new DockerPathNotFoundException(operation, response.StatusCode, message);
    }
}
