using ExecutionPlanner.Server.Http;
using System.Data;
using ExecutionPlanner.Server.Persistence;
using Microsoft.Net.Http.Headers;
using Npgsql;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// The content of a stored file (an upload or a result), streamed from PostgreSQL to the client
/// without holding the whole file in memory.
/// </summary>
public sealed class JobFileResult(string jobId, JobFileKind kind, string name) : IResult
{
    public const string DefaultMimeType = "application/octet-stream";

    /// <summary>
    /// Whether a stored media type can be a Content-Type header: printable ASCII that parses as a media
    /// type. Kestrel throws on anything else, which would turn the download into a 500.
    /// </summary>
    public static bool IsServableMimeType(string mimeType) =>
        mimeType.Length is > 0 and <= 256
        && mimeType.All(c => c is >= ' ' and <= '~')
        && MediaTypeHeaderValue.TryParse(mimeType, out var parsed)
        && parsed.SubType.Length > 0;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var dataSource = httpContext.RequestServices.GetRequiredService<NpgsqlDataSource>();
        var response = httpContext.Response;
        var ct = httpContext.RequestAborted;
        await using var command = dataSource.CreateCommand(
            "SELECT mime_type, size, content FROM job_files WHERE job_id = $1 AND kind = $2 AND name = $3");
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        command.Parameters.Add(new NpgsqlParameter { Value = kind.ToString() });
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        if (!await reader.ReadAsync(ct))
        {
            await PlainText.Error(StatusCodes.Status404NotFound,
                $"Job '{jobId}' has no {(kind == JobFileKind.Result ? "result" : "uploaded file")} '{name}'.").ExecuteAsync(httpContext);
            return;
        }
        response.StatusCode = StatusCodes.Status200OK;
        // Rows stored before uploads' types were checked (or types a container's file got) may not be
        // servable; those files are served as bytes.
        var mimeType = reader.GetString(0);
        response.ContentType = IsServableMimeType(mimeType) ? mimeType : DefaultMimeType;
        response.ContentLength = reader.GetInt64(1);
        await using var content = await reader.GetStreamAsync(2, ct);
        await content.CopyToAsync(response.Body, ct);
    }
}
