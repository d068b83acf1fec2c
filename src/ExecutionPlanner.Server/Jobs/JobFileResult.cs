using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs.Store;
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
        await JobFileReads.ReadFileAsync(dataSource, jobId, kind, name, async file =>
        {
            if (file is null)
            {
                await PlainText.Error(StatusCodes.Status404NotFound,
                    $"Job '{jobId}' has no {(kind == JobFileKind.Result ? "result" : "uploaded file")} '{name}'.").ExecuteAsync(httpContext);
                return;
            }
            response.StatusCode = StatusCodes.Status200OK;
            // Rows stored before uploads' types were checked (or types a container's file got) may not be
            // servable; those files are served as bytes.
            response.ContentType = IsServableMimeType(file.MimeType) ? file.MimeType : DefaultMimeType;
            response.ContentLength = file.Size;
            await file.Content.CopyToAsync(response.Body, ct);
        }, ct);
    }
}
