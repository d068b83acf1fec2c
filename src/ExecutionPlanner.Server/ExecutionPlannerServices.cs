using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Execution;
using ExecutionPlanner.Server.Execution.LiveOutput;
using ExecutionPlanner.Server.Health;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Callbacks;
using ExecutionPlanner.Server.Jobs.Events;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Jobs.Waiting;
using ExecutionPlanner.Server.Observability;
using ExecutionPlanner.Server.Persistence;
using ExecutionPlanner.Server.Planner;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ExecutionPlanner.Server;

/// <summary>Composition of the server: options, database, UWS services and background loops.</summary>
public static class ExecutionPlannerServices
{
    public const string ConnectionStringName = "ExecutionPlanner";

    public static IServiceCollection AddExecutionPlanner(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<JobsOptions>, JobsOptionsValidator>();
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddSingleton(TimeProvider.System);

        var configured = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not set (environment variable ConnectionStrings__{ConnectionStringName}).");
        }
        var connectionString = PostgresConnectionStrings.WithServerDefaults(configured);
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        services.AddSingleton(_ => new ListenerDataSource(connectionString));
        services.AddDbContextPool<UwsDbContext>((sp, o) => UwsDbContext.Configure(o, sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddHostedService<DatabaseMigrator>();

        services.AddSingleton<CallerResolver>();
        services.AddScoped<JobPhaseChanger>();
        services.AddSingleton<JobChangeHub>();
        services.AddSingleton<JobCreationBatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<JobCreationBatcher>());
        services.AddSingleton(_ => new WokenJobReader.ReaderDataSource(connectionString));
        services.AddSingleton<WokenJobReader>();
        services.AddHostedService(sp => sp.GetRequiredService<WokenJobReader>());
        services.AddSingleton<JobEventStreams>();
        services.AddOptions<CallbackOptions>().BindConfiguration(CallbackOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CallbackOptions>, CallbackOptionsValidator>();
        services.AddSingleton<CallbackOutbox>();
        CallbackSender.Configure(services);
        services.AddHostedService<CallbackSender>();
        services.AddSingleton<JobChangeListener>();
        services.AddHostedService(sp => sp.GetRequiredService<JobChangeListener>());
        services.AddSingleton<DestructionSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<DestructionSweeper>());

        services.AddOptions<ExecutionOptions>().BindConfiguration(ExecutionOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ExecutionOptions>, ExecutionOptionsValidator>();
        services.AddOptions<DockerEngineOptions>().BindConfiguration("Docker");
        services.AddSingleton(sp => new DockerEngineClient(sp.GetRequiredService<IOptions<DockerEngineOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IUnreachableDependency, DockerEngineOutage>();
        services.AddSingleton<ExecutionNode>();
        services.AddSingleton<RunQueue>();
        services.AddSingleton<JobHandOvers>();
        services.AddSingleton<RunningJobs>();
        services.AddSingleton<ContainerSpecFactory>();
        services.AddSingleton<JobUserResolver>();
        services.AddSingleton<ImageJobFolders>();
        services.AddSingleton<EngineGate>();
        services.AddSingleton<ResultsSizeGuard>();
        services.AddHostedService(sp => sp.GetRequiredService<ResultsSizeGuard>());
        services.AddSingleton<OutcomeCollector>();
        services.AddSingleton<OutcomeWriter>();
        services.AddSingleton<OutcomeSettler>();
        services.AddSingleton<ContainerRunner>();
        services.AddOptions<LiveOutputOptions>().BindConfiguration(ExecutionOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LiveOutputOptions>, LiveOutputOptionsValidator>();
        services.AddSingleton<LiveOutputPump>();
        services.AddSingleton<InputStaging>();
        InputStaging.Configure(services);
        services.AddSingleton<ContainerRemover>();
        services.AddHostedService(sp => sp.GetRequiredService<ContainerRemover>());
        services.AddSingleton<LeaseReaper>();
        services.AddHostedService(sp => sp.GetRequiredService<LeaseReaper>());
        services.AddSingleton<LeaseHeartbeat>();
        services.AddHostedService(sp => sp.GetRequiredService<LeaseHeartbeat>());
        // After the migrator (hosted services start in order): Hangfire's schema goes in after ours.
        services.AddHangfireExecution(connectionString,
            runsJobs: configuration.GetValue($"{ExecutionOptions.Section}:{nameof(ExecutionOptions.Enabled)}", true));

        services.AddPlanner();
        services.AddObservability();

        var health = services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [HealthApi.LiveTag])
            // Readiness answers at once, also while a dependency hangs (a restarting engine accepts and stalls).
            .AddCheck<PostgresHealthCheck>("postgresql", tags: [HealthApi.ReadyTag], timeout: HealthApi.CheckTimeout);
        if (configuration.GetValue($"{ExecutionOptions.Section}:{nameof(ExecutionOptions.Enabled)}", true))
        {
            // Only a node that runs jobs depends on the engine; a UWS-only node is ready without one.
            health.AddCheck<DockerHealthCheck>("docker", tags: [HealthApi.ReadyTag], timeout: HealthApi.CheckTimeout);
        }

        // Uploads are bounded by Jobs:MaxUploadBytes; let Kestrel accept bodies up to that (plus form overhead).
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<JobsOptions>>((kestrel, jobs) =>
            kestrel.Limits.MaxRequestBodySize = jobs.Value.MaxUploadBytes + 1024 * 1024);
        return services;
    }
}
