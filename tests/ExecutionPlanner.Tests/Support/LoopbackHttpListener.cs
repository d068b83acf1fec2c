using System.Net;
using System.Net.Sockets;

namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// An HTTP listener on a free 127.0.0.1 port for servers the tests stand up themselves; subclasses answer the
/// requests. With <c>concurrent</c>, each request is answered on its own (a slow answer holds up no other); otherwise
/// one after another. Stopped on dispose.
/// </summary>
public abstract class LoopbackHttpListener : IAsyncDisposable
{
    readonly HttpListener listener = new();
    readonly bool concurrent;
    Task serving = Task.CompletedTask;

    protected LoopbackHttpListener(bool concurrent)
    {
        this.concurrent = concurrent;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
    }

    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}/{path.TrimStart('/')}";

    /// <summary>Starts listening; called by the subclass once it is fully built.</summary>
    protected void Start()
    {
        listener.Start();
        serving = ServeAsync();
    }

    /// <summary>Answers one request (and disposes its response).</summary>
    protected abstract Task AnswerAsync(HttpListenerContext context);

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
            if (concurrent)
            {
                _ = AnswerAsync(context);
            }
            else
            {
                await AnswerAsync(context);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        await serving;
        GC.SuppressFinalize(this);
    }
}
