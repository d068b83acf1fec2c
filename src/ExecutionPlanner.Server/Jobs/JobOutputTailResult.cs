using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs.Store;
using System.Globalization;
using Npgsql;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// stdout or stderr of a job that is still running: the latest part that the node running it has stored
/// (job_output_tails, see Execution/LiveOutput), served by any node. At most Execution:LiveOutputTailBytes, starting
/// at a line when the output was longer; X-EP-Output-Bytes gives the whole size so far, X-EP-Output-Updated when it was
/// stored. 404 while there is none (the container has not started yet), with the text of a missing result.
/// </summary>
public sealed class JobOutputTailResult(string jobId, string stream) : IResult
{
    public const string LiveHeader = "X-EP-Live-Output";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var dataSource = httpContext.RequestServices.GetRequiredService<NpgsqlDataSource>();
        var ct = httpContext.RequestAborted;
        if (await JobFileReads.ReadOutputTailAsync(dataSource, jobId, stream, ct) is not { } tail)
        {
            // Also what a job that never ran answers (the message of a missing result, as before).
            await PlainText.Error(StatusCodes.Status404NotFound, $"Job '{jobId}' has no result '{stream}'.").ExecuteAsync(httpContext);
            return;
        }
        var content = tail.Content;
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = content.Length;
        response.Headers.CacheControl = "no-cache";
        response.Headers[LiveHeader] = "true";
        response.Headers["X-EP-Output-Bytes"] = tail.TotalBytes.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-EP-Output-Updated"] = UwsTime.Format(tail.UpdatedAt);
        await response.Body.WriteAsync(content, ct);
    }
}
