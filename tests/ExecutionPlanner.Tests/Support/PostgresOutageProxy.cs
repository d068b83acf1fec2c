using System.Net.Sockets;

namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// A PostgreSQL that can be taken away and brought back without touching the real server (other test runs share
/// it): a unix-socket forwarder in front of the local server's socket. <see cref="Cut"/> closes the listener and
/// every forwarded connection, as a database restart would; <see cref="Restore"/> listens again. Peer
/// authentication still works, because the forwarder runs as the test's own OS user.
/// </summary>
public sealed class PostgresOutageProxy : IAsyncDisposable
{
    const string Upstream = "/var/run/postgresql/.s.PGSQL.5432";
    readonly string directory = Directory.CreateTempSubdirectory("ep-pgproxy-").FullName;
    readonly List<Socket> open = [];
    Socket? listener;
    Task? accepting;

    /// <summary>A connection string through the forwarder to <paramref name="database"/>.</summary>
    public string ConnectionString(string database) => $"Host={directory};Port=5432;Database={database};Username={Environment.UserName}";

    public static PostgresOutageProxy Start()
    {
        var proxy = new PostgresOutageProxy();
        proxy.Restore();
        return proxy;
    }

    public void Restore()
    {
        var path = Path.Combine(directory, ".s.PGSQL.5432");
        File.Delete(path);
        listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(64);
        var current = listener;
        accepting = Task.Run(() => AcceptAsync(current));
    }

    public async Task CutAsync()
    {
        listener?.Dispose();
        File.Delete(Path.Combine(directory, ".s.PGSQL.5432"));
        lock (open)
        {
            foreach (var socket in open)
            {
                socket.Dispose();
            }
            open.Clear();
        }
        if (accepting is not null)
        {
            await accepting;
        }
    }

    async Task AcceptAsync(Socket from)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await from.AcceptAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }
            var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await server.ConnectAsync(new UnixDomainSocketEndPoint(Upstream));
            lock (open)
            {
                open.Add(client);
                open.Add(server);
            }
            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }
    }

    static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await from.ReceiveAsync(buffer)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, n));
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Cut: both sides are being closed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CutAsync();
        Directory.Delete(directory, recursive: true);
    }
}
