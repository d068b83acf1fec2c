using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ExecutionPlanner.Bench;

/// <summary>
/// The WAIT scenario's client: one plain HTTP/1.1 keep-alive connection per waiter, the GET written as bytes and
/// the answer read until its Content-Length has arrived. The load generator shares the 2 cores with the server,
/// and HttpClient spends about as much per response as the server does (connection pool, header parsing, content
/// objects): that work would be measured as wake-up delay. Connections stay open until every waiter has its answer,
/// so no connection is closed while others are measured. Answers without a Content-Length count as failures.
/// </summary>
public sealed class RawHttpWaiter(Uri baseAddress) : IDisposable
{
    const int MaxAnswerBytes = 256 * 1024;
    readonly ConcurrentBag<Socket> open = [];

    /// <summary>GETs <paramref name="pathAndQuery"/>; returns when the whole answer is in, with the time it was.</summary>
    public async Task<(long Received, HttpStatusCode Status, string Body)> GetAsync(string pathAndQuery, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        open.Add(socket);
        await socket.ConnectAsync(baseAddress.Host, baseAddress.Port, ct);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {pathAndQuery} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\n\r\n"), SocketFlags.None, ct);
        var buffer = new byte[16 * 1024];
        var length = 0;
        var bodyStart = -1;
        var contentLength = -1;
        while (bodyStart < 0 || length < bodyStart + contentLength)
        {
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxAnswerBytes + 1));
                if (buffer.Length > MaxAnswerBytes)
                {
                    throw new IOException($"The answer to {pathAndQuery} is over {MaxAnswerBytes} bytes.");
                }
            }
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, ct);
            if (read == 0)
            {
                throw new IOException($"The server closed the connection before the whole answer to {pathAndQuery}.");
            }
            length += read;
            if (bodyStart < 0 && buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) is var end and >= 0)
            {
                bodyStart = end + 4;
                contentLength = ContentLength(Encoding.ASCII.GetString(buffer, 0, end))
                    ?? throw new IOException($"The answer to {pathAndQuery} has no Content-Length.");
            }
        }
        var received = Stopwatch.GetTimestamp();
        var status = (HttpStatusCode)int.Parse(Encoding.ASCII.GetString(buffer, 9, 3), System.Globalization.CultureInfo.InvariantCulture);
        return (received, status, Encoding.UTF8.GetString(buffer, bodyStart, contentLength));
    }

    static int? ContentLength(string head)
    {
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return null;
    }

    public void Dispose()
    {
        foreach (var socket in open)
        {
            socket.Dispose();
        }
    }
}
