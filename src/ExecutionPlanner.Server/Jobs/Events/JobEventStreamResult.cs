using System.Text;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Jobs.Events;

/// <summary>
/// Writes one event stream: the state read on connect (<paramref name="read"/>), then every event of the
/// subscription as it arrives, a keep-alive comment after each quiet <see cref="JobsOptions.EventHeartbeat"/>, and
/// a fresh read whenever events may have been missed. Ends when the client goes, the server stops, the job of a
/// job stream is deleted, or the client fell too far behind (it reconnects with Last-Event-ID).
/// The read delegate returns null when the job is gone.
/// </summary>
public sealed class JobEventStreamResult(
    JobEventSubscription subscription,
    Func<DateTimeOffset?, CancellationToken, Task<List<JobEvent>?>> read) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using var _ = subscription;
        var services = httpContext.RequestServices;
        var clock = services.GetRequiredService<TimeProvider>();
        var heartbeat = services.GetRequiredService<IOptionsMonitor<JobsOptions>>().CurrentValue.EventHeartbeat;
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, stopping);
        var ct = stop.Token;

        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ServerSentEvents.ContentType;
        response.Headers.CacheControl = "no-cache";
        // Proxies that buffer (nginx) would hold events back.
        response.Headers["X-Accel-Buffering"] = "no";
        if (HttpMethods.IsHead(httpContext.Request.Method))
        {
            return;
        }

        var phases = new PhaseTracker();
        var text = new StringBuilder();
        try
        {
            var initial = await read(ServerSentEvents.LastEventTime(httpContext.Request), ct);
            if (Append(text, phases, initial))
            {
                await FlushAsync(response, text, ct);
                return;
            }
            await FlushAsync(response, text, ct);
            Task<bool>? waiting = null;
            while (true)
            {
                waiting ??= subscription.Reader.WaitToReadAsync(ct).AsTask();
                bool more;
                try
                {
                    more = await waiting.WaitAsync(heartbeat, clock, ct);
                }
                catch (TimeoutException)
                {
                    text.Append(ServerSentEvents.KeepAlive);
                    await FlushAsync(response, text, ct);
                    continue;
                }
                waiting = null;
                if (!more)
                {
                    return;
                }
                var ended = false;
                while (!ended && subscription.Reader.TryRead(out var item))
                {
                    ended = item is null
                        ? Append(text, phases, await read(phases.Latest, ct))
                        : Append(text, phases, item);
                }
                await FlushAsync(response, text, ct);
                if (ended)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away or the server is stopping: the stream simply ends.
        }
    }

    /// <summary>Appends a read's events; true when the stream must end (the job of a job stream is gone).</summary>
    bool Append(StringBuilder text, PhaseTracker phases, List<JobEvent>? events)
    {
        if (events is null)
        {
            return Append(text, phases, new JobEvent(JobEventKind.Deleted, subscription.JobId ?? "", subscription.OwnerId));
        }
        foreach (var e in events)
        {
            Append(text, phases, e);
        }
        return false;
    }

    bool Append(StringBuilder text, PhaseTracker phases, JobEvent e)
    {
        if (e.Kind == JobEventKind.Phase && !phases.ShouldSend(e))
        {
            return false;
        }
        if (e.Kind == JobEventKind.Deleted)
        {
            phases.Forget(e.JobId);
        }
        ServerSentEvents.Write(text, e);
        return e.Kind == JobEventKind.Deleted && subscription.JobId is not null;
    }

    static async Task FlushAsync(HttpResponse response, StringBuilder text, CancellationToken ct)
    {
        if (text.Length > 0)
        {
            await response.WriteAsync(text.ToString(), ct);
            text.Clear();
        }
        await response.Body.FlushAsync(ct);
    }
}
