namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// A file server on 127.0.0.1 for tests of inputs the server fetches: serves the files it was given by
/// path, 404 for anything else. Stopped on dispose.
/// </summary>
public sealed class LocalHttpServer : LoopbackHttpListener
{
    readonly IReadOnlyDictionary<string, byte[]> files;

    public LocalHttpServer(IReadOnlyDictionary<string, byte[]> files)
        : base(concurrent: false)
    {
        this.files = files;
        Start();
    }

    protected override async Task AnswerAsync(System.Net.HttpListenerContext context)
    {
        using var response = context.Response;
        if (files.TryGetValue(context.Request.Url!.AbsolutePath, out var content))
        {
            response.ContentType = "text/csv";
            response.ContentLength64 = content.Length;
            await response.OutputStream.WriteAsync(content);
        }
        else
        {
            response.StatusCode = 404;
        }
    }
}
