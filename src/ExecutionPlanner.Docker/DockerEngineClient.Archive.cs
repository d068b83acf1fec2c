using Docker.DotNet.Models;

namespace ExecutionPlanner.Docker;

public sealed partial class DockerEngineClient
{
    /// <summary>
    /// Extracts the tar stream into the directory <paramref name="path"/> of the container (which must exist;
    /// a created, not yet started container is fine). Entries keep the uid/gid of their tar headers.
    /// Throws <see cref="DockerPathNotFoundException"/> when the directory is missing and
    /// <see cref="DockerContainerNotFoundException"/> when the container is. No request timeout applies:
    /// the transfer takes as long as its size needs, so bound it with the token.
    /// </summary>
    public async Task PutArchiveAsync(string id, string path, Stream tar, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(tar);
        try
        {
            await CallAsync("archive upload", DockerResourceKind.Container,
                (docker, ct) => docker.Containers.ExtractArchiveToContainerAsync(id, new CopyToContainerParameters { Path = path }, tar, ct),
                cancellationToken, withoutTimeout: true);
        }
        catch (DockerContainerNotFoundException ex)
        {
            throw ArchiveNotFound(ex);
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
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            var archive = await CallAsync("archive download", DockerResourceKind.Container,
                (docker, ct) => docker.Containers.GetArchiveFromContainerAsync(id, new ContainerPathStatParameters { Path = path }, statOnly: false, ct),
                cancellationToken);
            return archive.Stream is { } body ? new ArchiveReadStream(body) : null;
        }
        catch (DockerContainerNotFoundException ex) when (ArchiveNotFound(ex) is DockerPathNotFoundException)
        {
            return null;
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
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            var archive = await CallAsync("archive stat", DockerResourceKind.Container,
                (docker, ct) => docker.Containers.GetArchiveFromContainerAsync(id, new ContainerPathStatParameters { Path = path }, statOnly: true, ct),
                cancellationToken);
            var stat = archive.Stat;
            return new ContainerPathStat(stat.Name, stat.Size, stat.Mode, stat.Mtime.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                string.IsNullOrEmpty(stat.LinkTarget) ? null : stat.LinkTarget);
        }
        catch (DockerContainerNotFoundException)
        {
            // A HEAD answer has no body, so no message tells a missing container from a missing path.
            await InspectContainerAsync(id, cancellationToken);
            return null;
        }
    }

    // The archive endpoints answer 404 both for a missing container and for a missing path, and the library
    // calls both "container not found"; only the engine's message tells them apart
    // ("No such container: x" vs "Could not find the file /p in container x").
    private static DockerApiException ArchiveNotFound(DockerContainerNotFoundException ex) =>
        ex.EngineMessage.Contains("No such container", StringComparison.OrdinalIgnoreCase)
            ? ex
            : new DockerPathNotFoundException(ex.Operation, ex.StatusCode, ex.EngineMessage);
}
