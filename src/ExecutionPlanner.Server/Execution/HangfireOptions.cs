using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// How Hangfire runs this service's jobs (configuration section "Hangfire"). Hangfire's defaults suit web apps
/// (15 s polls, a 30 min invisibility, 10 automatic retries); these are chosen for containers that must start
/// within milliseconds of RUN and run exactly once. Every key is listed in the README.
/// </summary>
public sealed class HangfireOptions
{
    public const string Section = "Hangfire";

    /// <summary>The PostgreSQL schema of Hangfire's tables, in the service's own database.</summary>
    public string SchemaName { get; set; } = "hangfire";

    /// <summary>
    /// Idle workers look for a Hangfire job this often. A job enqueued on this node wakes one of its idle workers at
    /// once (Hangfire.PostgreSql signals its own process on commit); an idle worker of another node finds it within
    /// this interval.
    /// </summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Off: LISTEN/NOTIFY would also wake other nodes' idle workers at once, but with it a worker can hang after a
    /// fetch. Hangfire.PostgreSql opens a LISTEN task for every fetch and, once the fetch succeeds, cancels it and
    /// waits for it; Npgsql (10.0.x, npgsql/npgsql#5975, fix #5976 unmerged) loses a cancellation that lands just
    /// before its read of notifications starts, so the wait ends only at the next NOTIFY. The worker is lost until
    /// then, and the job it fetched stays QUEUED: the fetch is already made and renewed by the sliding invisibility,
    /// so no other worker takes it. On a quiet server that is for good (seen in the 4-slot benchmark, a job QUEUED
    /// with its Hangfire job fetched and renewed every 12 s). Four workers fetching 20,000 queued rows hung one to
    /// three of them in every run with it on, none with it off.
    /// </summary>
    public bool EnableLongPolling { get; set; }

    /// <summary>
    /// A fetched Hangfire job whose worker stops renewing it (its node died) is delivered again after this. A job
    /// the dead node had claimed is settled sooner by the UWS lease (Execution:LeaseDuration), and the redelivery
    /// finds nothing to do; one it had fetched but not yet claimed waits for this redelivery, so keep it short.
    /// </summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Renew the invisibility of running Hangfire jobs (every fifth of it), so long containers are not delivered twice.</summary>
    public bool UseSlidingInvisibilityTimeout { get; set; } = true;

    /// <summary>A Hangfire lock row left by a killed process is taken over after this (Hangfire's default is 10 min).</summary>
    public TimeSpan DistributedLockTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often workers ask whether their Hangfire job was deleted. Not the ABORT path (that is NOTIFY, milliseconds).</summary>
    public TimeSpan CancellationCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often scheduled jobs (held jobs whose offered slot comes) are looked for.</summary>
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a node tells Hangfire it is alive, and after how long without that it is removed from the server list.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan ServerTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>On shutdown: how long running job methods get to return (they leave their containers running).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long finished Hangfire jobs stay visible in the dashboard (the UWS job keeps its own destruction time).</summary>
    public TimeSpan JobExpirationTimeout { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The dashboard at /hangfire shows no buttons that change Hangfire jobs unless this is false.</summary>
    public bool DashboardReadOnly { get; set; } = true;
}

sealed class HangfireOptionsValidator : IValidateOptions<HangfireOptions>
{
    public ValidateOptionsResult Validate(string? name, HangfireOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(o.SchemaName) || !o.SchemaName.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
        {
            errors.Add("Hangfire:SchemaName must be a lower-case PostgreSQL name (a-z, 0-9, _).");
        }
        if (o.QueuePollInterval < TimeSpan.FromMilliseconds(50))
        {
            errors.Add("Hangfire:QueuePollInterval must be at least 50 ms (Hangfire.PostgreSql's floor).");
        }
        if (o.InvisibilityTimeout < TimeSpan.FromSeconds(30))
        {
            errors.Add("Hangfire:InvisibilityTimeout must be at least 30 s.");
        }
        if (o.DistributedLockTimeout < TimeSpan.FromSeconds(10) || o.CancellationCheckInterval < TimeSpan.FromMilliseconds(100)
            || o.SchedulePollingInterval < TimeSpan.FromMilliseconds(100))
        {
            errors.Add("Hangfire: DistributedLockTimeout >= 10 s, CancellationCheckInterval and SchedulePollingInterval >= 100 ms are required.");
        }
        if (o.HeartbeatInterval < TimeSpan.FromSeconds(1) || o.ServerTimeout < o.HeartbeatInterval * 2)
        {
            errors.Add("Hangfire: HeartbeatInterval >= 1 s and ServerTimeout >= twice the HeartbeatInterval are required.");
        }
        if (o.ShutdownTimeout < TimeSpan.Zero || o.JobExpirationTimeout < TimeSpan.FromMinutes(1))
        {
            errors.Add("Hangfire: ShutdownTimeout >= 0 and JobExpirationTimeout >= 1 min are required.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
