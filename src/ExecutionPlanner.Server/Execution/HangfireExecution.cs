using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Hangfire as the execution engine: storage in the service's own database (schema Hangfire:SchemaName, its own
/// connection pool), the client the dispatcher enqueues with, and on execution nodes a Hangfire server whose
/// workers are the node's slots (Execution:Slots) on the "uws" queue.
/// </summary>
/// <remarks>
/// Storage and the job activator are this app's own singletons, never Hangfire's static JobStorage.Current or
/// JobActivator.Current: several servers may live in one process (tests, benchmarks), each on its own database,
/// and a static would send one server's jobs to another's database.
/// </remarks>
public static class HangfireExecution
{
    public static IServiceCollection AddHangfireExecution(this IServiceCollection services, string connectionString, bool runsJobs)
    {
        services.AddOptions<HangfireOptions>().BindConfiguration(HangfireOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HangfireOptions>, HangfireOptionsValidator>();
        services.AddHostedService<HangfireSchema>();

        services.AddSingleton<JobStorage>(sp => CreateStorage(connectionString, sp.GetRequiredService<IOptions<HangfireOptions>>().Value));
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire(configuration => configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        HangfireDashboard.AddJobLinks();
        RemoveUnusedFilters();

        services.AddScoped<UwsJobRun>();
        services.AddScoped<HeldJobRelease>();
        services.AddSingleton<QueuedJobDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<QueuedJobDispatcher>());
        if (runsJobs)
        {
            services.AddHangfireServer((sp, server) => Configure(server, sp));
        }
        return services;
    }

    /// <summary>
    /// Two of Hangfire's global filters do work for every job that this service never needs, each a database round
    /// trip or more per job: CaptureCulture stores the caller's cultures as job parameters and reads them back before
    /// the job runs (this server runs with invariant globalization, and a UWS job's container has no culture of
    /// ours), and ContinuationsSupport looks up continuations whenever a job ends (we never create any). The filter
    /// collection is Hangfire's process-wide one, so removing is idempotent and the same for every server in it.
    /// </summary>
    internal static void RemoveUnusedFilters()
    {
        GlobalJobFilters.Filters.Remove<CaptureCultureAttribute>();
        GlobalJobFilters.Filters.Remove<ContinuationsSupportAttribute>();
    }

    internal static PostgreSqlStorage CreateStorage(string connectionString, HangfireOptions o)
    {
        var storageOptions = new PostgreSqlStorageOptions
        {
            SchemaName = o.SchemaName,
            // HangfireSchema installs the tables once, under a lock, before any node's storage is used.
            PrepareSchemaIfNecessary = false,
            EnableLongPolling = o.EnableLongPolling,
            QueuePollInterval = o.QueuePollInterval,
            InvisibilityTimeout = o.InvisibilityTimeout,
            UseSlidingInvisibilityTimeout = o.UseSlidingInvisibilityTimeout,
            DistributedLockTimeout = o.DistributedLockTimeout,
        };
        // Hangfire's own pool, named so it shows in pg_stat_activity: its workers' connections (and, with long
        // polling, each idle worker's LISTEN connection) must never starve the UWS API of connections.
        var hangfireConnections = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "hangfire" }.ConnectionString;
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(hangfireConnections, storageOptions), storageOptions)
        {
            JobExpirationTimeout = o.JobExpirationTimeout,
        };
    }

    static void Configure(BackgroundJobServerOptions server, IServiceProvider sp)
    {
        var execution = sp.GetRequiredService<IOptions<ExecutionOptions>>().Value;
        var o = sp.GetRequiredService<IOptions<HangfireOptions>>().Value;
        server.WorkerCount = execution.EffectiveSlots;
        server.Queues = [UwsJobRun.Queue];
        // Hangfire appends ":pid:guid"; the node id makes the dashboard's server list readable.
        server.ServerName = sp.GetRequiredService<ExecutionNode>().Id;
        server.Activator = sp.GetRequiredService<JobActivator>();
        server.SchedulePollingInterval = o.SchedulePollingInterval;
        server.CancellationCheckInterval = o.CancellationCheckInterval;
        server.HeartbeatInterval = o.HeartbeatInterval;
        server.ServerTimeout = o.ServerTimeout;
        server.ServerCheckInterval = o.ServerTimeout / 2;
        server.ShutdownTimeout = o.ShutdownTimeout;
        // A running job returns as soon as the host stops (it leaves its container to the reaper): no grace needed.
        server.StopTimeout = TimeSpan.FromSeconds(1);
    }
}
