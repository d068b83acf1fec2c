using System.Xml;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// The job list, streamed: rows are read one at a time from the database and written in chunks, so
/// memory stays constant however many jobs the list holds.
/// </summary>
public sealed class JobListXmlResult(IAsyncEnumerable<JobRef> jobs, string jobListUrl) : IResult, IStatusCodeHttpResult
{
    const int ChunkBytes = 32 * 1024;

    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var ct = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = UwsXml.ContentType;
        using var buffer = new MemoryStream(ChunkBytes * 2);
        using var w = UwsXml.CreateWriter(buffer);
        UwsXml.StartJobList(w);
        await foreach (var job in jobs.WithCancellation(ct))
        {
            UwsXml.WriteJobRef(w, job, jobListUrl);
            w.Flush();
            if (buffer.Length >= ChunkBytes)
            {
                await Drain(buffer, response, ct);
            }
        }
        UwsXml.EndJobList(w);
        w.Flush();
        await Drain(buffer, response, ct);
    }

    static async Task Drain(MemoryStream buffer, HttpResponse response, CancellationToken ct)
    {
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct);
        buffer.SetLength(0);
    }
}
