using System.Collections.Concurrent;
using System.Net;

namespace ExecutionPlanner.Tests.Support;

/// <summary>One POST a <see cref="CallbackReceiver"/> got: its path, headers and exact body bytes.</summary>
public sealed record ReceivedCallback(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, int AnsweredStatus)
{
    public string Header(string name) => Headers.TryGetValue(name, out var v) ? v : "";
}

/// <summary>
/// A callback receiver on 127.0.0.1: records every request and answers with the status its path asks for
/// (/fail-N answers 500 to the first N requests on that path, then 200; /always-500 always 500; /slow waits 2 s).
/// </summary>
public sealed class CallbackReceiver : LoopbackHttpListener
{
    readonly ConcurrentDictionary<string, int> seenPerPath = new();

    public CallbackReceiver()
        : base(concurrent: true) => Start();

    public ConcurrentQueue<ReceivedCallback> Received { get; } = new();

    protected override async Task AnswerAsync(HttpListenerContext context)
    {
        using var response = context.Response;
        var path = context.Request.Url!.AbsolutePath;
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        var n = seenPerPath.AddOrUpdate(path, 1, (_, v) => v + 1);
        var status = path switch
        {
            "/always-500" => 500,
            _ when path.StartsWith("/fail-", StringComparison.Ordinal) && n <= int.Parse(path["/fail-".Length..], System.Globalization.CultureInfo.InvariantCulture) => 500,
            _ => 200,
        };
        if (path == "/slow")
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        var headers = context.Request.Headers.AllKeys.Where(k => k is not null)
            .ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
        Received.Enqueue(new ReceivedCallback(path, headers, body.ToArray(), status));
        response.StatusCode = status;
    }

    /// <summary>Waits until <paramref name="count"/> requests arrived on <paramref name="path"/>; fails at the deadline.</summary>
    public async Task<List<ReceivedCallback>> WaitForAsync(string path, int count, TimeSpan deadline)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var got = Received.Where(r => r.Path == path).ToList();
            if (got.Count >= count)
            {
                return got;
            }
            Assert.That(watch.Elapsed, Is.LessThan(deadline), $"{got.Count} of {count} callbacks arrived on {path}");
            await Task.Delay(50);
        }
    }
}
