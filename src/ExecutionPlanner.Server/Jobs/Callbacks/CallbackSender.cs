using System.Net.Http.Headers;
using System.Security.Cryptography;
using ExecutionPlanner.Server.Jobs.Events;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Jobs.Waiting;
using ExecutionPlanner.Server.Persistence;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExecutionPlanner.Server.Jobs.Callbacks;

/// <summary>
/// Sends the callbacks of phase changes, on every node, off any request path. Which node sends: the one that claims the
/// outbox row (<see cref="CallbackOutbox"/>), so each delivery is made by one node, whichever node made the change.
/// Delivery is at least once: a node that dies after sending but before removing the row leaves it to be claimed
/// again when its lease ends (receivers may see a delivery twice: X-EP-Delivery names it). Each try: POST of the job
/// document (UWS XML, as GET /jobs/{id} answers it, read when sending), signed (<see cref="CallbackSignature"/>),
/// within Jobs:CallbackTimeout, redirects not followed; up to Jobs:CallbackAttempts tries with doubling delays;
/// a delivery given up is said in a job message. At most <see cref="MaxInFlight"/> tries at once per node, so a slow
/// receiver holds a slot, never the loop.
/// </summary>
public sealed partial class CallbackSender : BackgroundService
{
    public const string ClientName = "callbacks";
    const int MaxInFlight = 8;
    static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(30);

    readonly CallbackOutbox outbox;
    readonly IHttpClientFactory clients;
    readonly IServiceScopeFactory scopes;
    readonly IOptionsMonitor<CallbackOptions> options;
    readonly IServer server;
    readonly TimeProvider clock;
    readonly ILogger<CallbackSender> logger;
    readonly SemaphoreSlim wake = new(0, int.MaxValue);
    readonly SemaphoreSlim slots = new(MaxInFlight, MaxInFlight);
    readonly string node = "callbacks-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    string? jobListUrl;

    public CallbackSender(CallbackOutbox outbox, JobChangeHub hub, IHttpClientFactory clients, IServiceScopeFactory scopes,
        IOptionsMonitor<CallbackOptions> options, IServer server, TimeProvider clock, ILogger<CallbackSender> logger)
    {
        this.outbox = outbox;
        this.clients = clients;
        this.scopes = scopes;
        this.options = options;
        this.server = server;
        this.clock = clock;
        this.logger = logger;
        hub.ObserveEvents(e =>
        {
            if (e.Kind == JobEventKind.CallbackQueued)
            {
                wake.Release();
            }
        });
    }

    public static void Configure(IServiceCollection services) =>
        services.AddHttpClient(ClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false })
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        var running = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                running.RemoveAll(t => t.IsCompleted);
                var free = slots.CurrentCount;
                if (free > 0)
                {
                    var o = options.CurrentValue;
                    var claimed = await outbox.ClaimAsync(clock.GetUtcNow(), o.CallbackTimeout + LeaseMargin, node, free, stoppingToken);
                    foreach (var delivery in claimed)
                    {
                        await slots.WaitAsync(stoppingToken);
                        running.Add(DeliverAsync(delivery, stoppingToken));
                    }
                    backoff = TimeSpan.FromMilliseconds(250);
                    if (claimed.Count == free)
                    {
                        continue;
                    }
                }
                // Woken by a new row (NOTIFY), by a try ending (a slot freed, or the job's next row claimable), or
                // by the poll, which also finds retries that have become due.
                await wake.WaitAsync(PollInterval, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogLoopFailed(logger, backoff, ex);
                await Task.Delay(backoff, clock, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(15).Ticks));
            }
        }
        await Task.WhenAll(running);
    }

    async Task DeliverAsync(CallbackDelivery delivery, CancellationToken stopping)
    {
        try
        {
            await TryOnceAsync(delivery, stopping);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            // The database failed us around the try: the lease runs out and the row is claimed again.
            LogBookkeepingFailed(logger, delivery.JobId, ex);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the lease runs out and another node (or this one after a restart) tries again.
        }
        finally
        {
            slots.Release();
            wake.Release();
        }
    }

    async Task TryOnceAsync(CallbackDelivery delivery, CancellationToken stopping)
    {
        var o = options.CurrentValue;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<UwsDbContext>();
        var job = await db.FindJobAsync(delivery.JobId, stopping);
        if (job is null)
        {
            await outbox.RemoveAsync(delivery.Id, stopping);
            return;
        }
        var url = new Uri(delivery.Url);
        if (!o.Allows(url))
        {
            await GiveUpAsync(db, delivery, url, "its host is no longer one the operator allows", stopping);
            return;
        }
        var files = await db.FileInfosAsync(job.Id, stopping);
        byte[] body;
        using (var buffer = new MemoryStream())
        {
            using (var w = UwsXml.CreateWriter(buffer))
            {
                UwsXml.WriteJob(w, job, files, JobLinks.Job(JobListUrl(o), job.Id));
            }
            body = buffer.ToArray();
        }

        string? failure;
        using (var timeout = new CancellationTokenSource(o.CallbackTimeout, clock))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token))
        using (var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) })
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(UwsXml.ContentType);
            request.Headers.Add(CallbackSignature.Header, CallbackSignature.Sign(o.CallbackSigningKey ?? "", body));
            request.Headers.Add("X-EP-Job-Id", job.Id);
            request.Headers.Add("X-EP-Phase", delivery.Phase);
            request.Headers.Add("X-EP-Phase-Time", UwsTime.Format(delivery.PhaseTime));
            request.Headers.Add("X-EP-Delivery", delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("X-EP-Attempt", delivery.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
            try
            {
                using var client = clients.CreateClient(ClientName);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
                failure = response.IsSuccessStatusCode ? null : $"the receiver answered {(int)response.StatusCode} {response.ReasonPhrase}";
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stopping.IsCancellationRequested)
            {
                failure = $"no answer within {o.CallbackTimeout.TotalSeconds:0.#} s";
            }
            catch (HttpRequestException ex)
            {
                failure = ex.Message;
            }
        }

        if (failure is null)
        {
            await outbox.RemoveAsync(delivery.Id, stopping);
            return;
        }
        LogTryFailed(logger, job.Id, url.Authority, delivery.Attempt, failure);
        if (delivery.Attempt >= o.CallbackAttempts)
        {
            await GiveUpAsync(db, delivery, url, failure, stopping);
            return;
        }
        var delay = o.CallbackRetryDelay * Math.Pow(2, delivery.Attempt - 1);
        await outbox.RetryAtAsync(delivery.Id, clock.GetUtcNow() + delay, stopping);
    }

    async Task GiveUpAsync(UwsDbContext db, CallbackDelivery delivery, Uri url, string why, CancellationToken ct)
    {
        await JobMessages.AppendAsync(db, delivery.JobId, [JobMessages.Create(clock.GetUtcNow(),
            $"The callback for phase {delivery.Phase} to {url.Authority} was given up after {delivery.Attempt} tries: {why}.")], ct);
        await outbox.RemoveAsync(delivery.Id, ct);
    }

    /// <summary>Jobs:PublicBaseUrl, else this server's first listening address (a wildcard host read as localhost).</summary>
    string JobListUrl(CallbackOptions o)
    {
        if (jobListUrl is not null)
        {
            return jobListUrl;
        }
        var baseUrl = o.PublicBaseUrl;
        if (baseUrl is null)
        {
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost";
            var builder = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal)
                .Replace("://*", "://localhost", StringComparison.Ordinal));
            if (builder.Host is "0.0.0.0" or "[::]" or "::")
            {
                builder.Host = "localhost";
            }
            baseUrl = builder.Uri.GetLeftPart(UriPartial.Authority) + builder.Path.TrimEnd('/');
        }
        return jobListUrl = baseUrl.TrimEnd('/') + JobLinks.JobListPath;
    }

    public override void Dispose()
    {
        wake.Dispose();
        slots.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 2111, Level = LogLevel.Warning, Message = "Callback sender failed; retrying in {Backoff}")]
    static partial void LogLoopFailed(ILogger logger, TimeSpan backoff, Exception ex);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Information, Message = "Job {JobId}: callback to {Host} failed (try {Attempt}): {Why}")]
    static partial void LogTryFailed(ILogger logger, string jobId, string host, int attempt, string why);

    [LoggerMessage(EventId = 2113, Level = LogLevel.Warning, Message = "Job {JobId}: recording a callback try failed; it is tried again after its lease")]
    static partial void LogBookkeepingFailed(ILogger logger, string jobId, Exception ex);
}
