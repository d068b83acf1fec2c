using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;

namespace ExecutionPlanner.Tests.Support;

/// <summary>One Server-Sent Event as received: its name, id (or null), data, and comments seen before it.</summary>
public sealed record ReceivedEvent(string Name, string? Id, string Data)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement;

    public string Field(string name) => Json.GetProperty(name).GetString()!;
}

/// <summary>
/// A text/event-stream client for tests: reads the stream in the background (per the HTML spec's parsing rules, the
/// parts our server sends), queues the events, and counts comment lines (keep-alives).
/// </summary>
public sealed class EventStreamClient : IAsyncDisposable
{
    readonly HttpResponseMessage response;
    readonly CancellationTokenSource stop = new();
    readonly Channel<ReceivedEvent> events = Channel.CreateUnbounded<ReceivedEvent>();
    readonly Task reading;
    int comments;

    EventStreamClient(HttpResponseMessage response)
    {
        this.response = response;
        reading = ReadAsync();
    }

    public HttpResponseMessage Response => response;

    public int Comments => Volatile.Read(ref comments);

    /// <summary>True once the server ended the stream.</summary>
    public bool Ended => reading.IsCompleted;

    /// <summary>Opens the stream; asserts 200 and text/event-stream.</summary>
    public static async Task<EventStreamClient> OpenAsync(HttpClient client, string path, string? lastEventId = null)
    {
        var response = await SendAsync(client, path, lastEventId);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await BodyIfShortAsync(response));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        return new EventStreamClient(response);
    }

    /// <summary>The answer to a stream request that is expected to fail (status and body).</summary>
    public static async Task<(HttpStatusCode Status, string Body)> RefusedAsync(HttpClient client, string path)
    {
        using var response = await SendAsync(client, path, null);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, string? lastEventId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    static async Task<string> BodyIfShortAsync(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.OK ? "" : await response.Content.ReadAsStringAsync();

    /// <summary>The next event, failing the test if none comes within <paramref name="timeout"/>.</summary>
    public async Task<ReceivedEvent> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await events.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"No event within {timeout}.");
            throw;
        }
        catch (ChannelClosedException)
        {
            Assert.Fail("The stream ended before the next event.");
            throw;
        }
    }

    /// <summary>Skips events until one matches; fails at the deadline.</summary>
    public async Task<ReceivedEvent> WaitForAsync(Func<ReceivedEvent, bool> match, TimeSpan timeout, List<ReceivedEvent>? skipped = null)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var left = timeout - watch.Elapsed;
            Assert.That(left, Is.GreaterThan(TimeSpan.Zero), "No matching event before the deadline; skipped: " +
                string.Join(" | ", skipped?.Select(e => $"{e.Name} {e.Data}") ?? []));
            var e = await NextAsync(left);
            if (match(e))
            {
                return e;
            }
            skipped?.Add(e);
        }
    }

    /// <summary>Waits until the server has ended the stream; the events left are returned.</summary>
    public async Task<List<ReceivedEvent>> WaitForEndAsync(TimeSpan timeout)
    {
        await reading.WaitAsync(timeout);
        var rest = new List<ReceivedEvent>();
        while (events.Reader.TryRead(out var e))
        {
            rest.Add(e);
        }
        return rest;
    }

    async Task ReadAsync()
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(stop.Token);
            using var reader = new StreamReader(body);
            string? name = null, id = null, data = null;
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data is not null)
                    {
                        events.Writer.TryWrite(new ReceivedEvent(name ?? "message", id, data));
                    }
                    name = id = data = null;
                }
                else if (line.StartsWith(':'))
                {
                    Interlocked.Increment(ref comments);
                }
                else
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    var field = colon < 0 ? line : line[..colon];
                    var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
                    switch (field)
                    {
                        case "event": name = value; break;
                        case "id": id = value; break;
                        case "data": data = data is null ? value : data + "\n" + value; break;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
        {
            // Closed by us or by the server.
        }
        finally
        {
            events.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        response.Dispose();
        await reading;
        stop.Dispose();
    }
}
