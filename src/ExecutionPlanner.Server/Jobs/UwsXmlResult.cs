using System.Xml;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// A UWS XML document as an HTTP answer. The document is written synchronously into a buffer and
/// copied out asynchronously (Kestrel forbids synchronous writes to the response).
/// </summary>
public sealed class UwsXmlResult(Action<XmlWriter> write) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using var buffer = new MemoryStream();
        using (var w = UwsXml.CreateWriter(buffer))
        {
            write(w);
        }
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = UwsXml.ContentType;
        httpContext.Response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(httpContext.Response.Body, httpContext.RequestAborted);
    }
}
