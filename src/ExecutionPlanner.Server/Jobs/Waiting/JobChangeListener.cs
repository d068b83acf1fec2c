using ExecutionPlanner.Server.Jobs.Events;
using Npgsql;

namespace ExecutionPlanner.Server.Jobs.Waiting;

/// <summary>
/// One long-lived LISTEN connection per node. The trigger on the jobs table sends
/// "&lt;job id&gt; &lt;phase&gt;" on every committed phase change, from whichever process made it;
/// this loop hands each to the <see cref="JobChangeHub"/>. The same connection listens to the live events
/// (<see cref="JobEventPayload.Channel"/>: phases with owner and time, messages, output lines). If the connection drops it reconnects
/// with back-off and wakes everyone, because notifications sent meanwhile are lost.
/// </summary>
public sealed partial class JobChangeListener(
    JobChangeHub hub,
    ListenerDataSource listenerDataSource,
    TimeProvider clock,
    ILogger<JobChangeListener> logger) : BackgroundService
{
    public const string Channel = "uws_job_change";

    static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(250);
    static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(15);

    /// <summary>True while LISTEN is in force (readiness).</summary>
    public bool IsListening { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = MinBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await listenerDataSource.DataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => OnNotification(e.Channel, e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}; LISTEN {JobEventPayload.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                IsListening = true;
                backoff = MinBackoff;
                hub.WakeAll();
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                IsListening = false;
                LogListenFailed(logger, backoff, ex);
                hub.WakeAll();
                await Task.Delay(backoff, clock, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
        IsListening = false;
    }

    void OnNotification(string channel, string payload)
    {
        if (channel == JobEventPayload.Channel)
        {
            if (JobEventPayload.Parse(payload) is { } jobEvent)
            {
                hub.PublishEvent(jobEvent);
            }
            return;
        }
        var space = payload.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0)
        {
            return;
        }
        var jobId = payload[..space];
        var phase = Enum.TryParse<ExecutionPhase>(payload[(space + 1)..], out var p) ? p : (ExecutionPhase?)null;
        hub.Publish(jobId, phase);
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "LISTEN connection failed; reconnecting in {Backoff}")]
    static partial void LogListenFailed(ILogger logger, TimeSpan backoff, Exception ex);
}

/// <summary>Unpooled connections with TCP keepalive for LISTEN, so a dead server is noticed.</summary>
public sealed class ListenerDataSource(string connectionString) : IDisposable
{
    public NpgsqlDataSource DataSource { get; } = new NpgsqlDataSourceBuilder(
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = 15 }.ConnectionString).Build();

    public void Dispose() => DataSource.Dispose();
}
