using System.Net.Sockets;

namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// A service that can be taken away and brought back without touching the real one (other test runs share it):
/// a unix-socket forwarder in front of its socket. <see cref="CutAsync"/> closes the listener and every forwarded
/// connection, as a restart would; <see cref="Restore"/> listens again. For PostgreSQL, peer authentication still
/// works, because the forwarder runs as the test's own OS user.
/// </summary>
public sealed class UnixSocketOutage : IAsyncDisposable
{
    readonly string upstream;
    readonly string socketName;
    readonly string directory = Directory.CreateTempSubdirectory("ep-outage-").FullName;
    readonly List<Socket> open = [];
    Socket? listener;
    Task? accepting;

    UnixSocketOutage(string upstream, string socketName)
    {
        this.upstream = upstream;
        this.socketName = socketName;
    }

    /// <summary>A connection string through the forwarder to <paramref name="database"/>.</summary>
    public string ConnectionString(string database) => $"Host={directory};Port=5432;Database={database};Username={Environment.UserName}";

    /// <summary>The forwarder's socket as a Docker endpoint.</summary>
    public string DockerEndpoint => "unix://" + Path.Combine(directory, socketName);

    /// <summary>In front of the local PostgreSQL's socket.</summary>
    public static UnixSocketOutage StartPostgres() => Start("/var/run/postgresql/.s.PGSQL.5432", ".s.PGSQL.5432");

    /// <summary>In front of the local Docker engine's socket.</summary>
    public static UnixSocketOutage StartDocker() => Start("/var/run/docker.sock", "docker.sock");

    static UnixSocketOutage Start(string upstream, string socketName)
    {
        var proxy = new UnixSocketOutage(upstream, socketName);
        proxy.Restore();
        return proxy;
    }

    public void Restore()
    {
        var path = Path.Combine(directory, socketName);
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
        File.Delete(Path.Combine(directory, socketName));
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
            await server.ConnectAsync(new UnixDomainSocketEndPoint(upstream));
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
