using System.Data;
using ExecutionPlanner.Server.Persistence;
using Npgsql;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// The content of a stored file (an upload or a result), streamed from PostgreSQL to the client
/// without holding the whole file in memory.
/// </summary>
public sealed class JobFileResult(string jobId, JobFileKind kind, string name) : IResult
{
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
        response.ContentType = reader.GetString(0);
        response.ContentLength = reader.GetInt64(1);
        await using var content = await reader.GetStreamAsync(2, ct);
        await content.CopyToAsync(response.Body, ct);
    }
}
