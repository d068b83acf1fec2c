using System.Net;
using System.Net.Sockets;

namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// A file server on 127.0.0.1 for tests of inputs the server fetches: serves the files it was given by
/// path, 404 for anything else, and counts requests. Stopped on dispose.
/// </summary>
public sealed class LocalHttpServer : IAsyncDisposable
{
    readonly HttpListener listener = new();
    readonly IReadOnlyDictionary<string, byte[]> files;
    readonly Task serving;

    public LocalHttpServer(IReadOnlyDictionary<string, byte[]> files)
    {
        this.files = files;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        serving = ServeAsync();
    }

    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}/{path.TrimStart('/')}";

    async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
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

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        await serving;
    }
}
