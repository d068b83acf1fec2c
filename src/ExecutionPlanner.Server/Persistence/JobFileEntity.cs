namespace ExecutionPlanner.Server.Persistence;

/// <summary>Whether a stored file came in with the job or came out of it.</summary>
public enum JobFileKind
{
    Input,
    Result,
}

/// <summary>
/// A file kept with its job in PostgreSQL, so that every server process can read it (an upload,
/// copied to /uws/inputs/&lt;name&gt; before the container starts, or a result). Deleted with the job.
/// </summary>
public sealed class JobFileEntity
{
    public required string JobId { get; init; }

    public JobFileKind Kind { get; init; }

    public required string Name { get; init; }

    public string MimeType { get; set; } = "application/octet-stream";

    public long Size { get; set; }

    public byte[] Content { get; set; } = [];
}
