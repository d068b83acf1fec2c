using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Store;

namespace ExecutionPlanner.Server.Persistence;

/// <summary>One UWS job: a row of the jobs table, which is also the execution queue (design §2).</summary>
public sealed class JobEntity
{
    public required string Id { get; init; }

    /// <summary>The creator; the empty string for the anonymous owner (keeps the owner index usable).</summary>
    public required string OwnerId { get; init; }

    public string? RunId { get; set; }

    /// <summary>Written only through <see cref="JobPhaseChanger"/> (and set once when the row is born).</summary>
    public ExecutionPhase Phase { get; set; }

    public DateTimeOffset PhaseChangedAt { get; set; }

    public DateTimeOffset CreationTime { get; init; }

    public DateTimeOffset? StartTime { get; set; }

    public DateTimeOffset? EndTime { get; set; }

    /// <summary>Seconds the job may execute; 0 = unlimited.</summary>
    public int ExecutionDuration { get; set; }

    public DateTimeOffset Destruction { get; set; }

    public DateTimeOffset? Quote { get; set; }

    /// <summary>The simple-docker-uws parameters in the order the client gave them (jsonb).</summary>
    public List<JobParameter> Parameters { get; set; } = [];

    public string? ErrorSummary { get; set; }

    public bool ErrorIsTransient { get; set; }

    /// <summary>Full error text served at /error.</summary>
    public string? ErrorDetail { get; set; }

    /// <summary>The job's messages, oldest first (<see cref="JobMessage"/>); appended, never rewritten.</summary>
    public List<JobMessage> Messages { get; set; } = [];

    // Execution bookkeeping (the table is the queue): see Execution/.
    public DateTimeOffset? QueuedAt { get; set; }

    public int Attempt { get; set; }

    public Guid? LeaseToken { get; set; }

    public string? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseExpiresAt { get; set; }

    public int? ExitCode { get; set; }

    /// <summary>The container of the current attempt, once created.</summary>
    public string? ContainerId { get; set; }

    /// <summary>Set (fenced by the lease) just before the container is started: null means it never ran.</summary>
    public DateTimeOffset? ContainerStartedAt { get; set; }

    /// <summary>
    /// The Hangfire job that runs this QUEUED job; null until <see cref="Execution.QueuedJobDispatcher"/> enqueued one
    /// (and again when the job goes back to the queue), which is how a crash between QUEUED and the enqueue is repaired.
    /// </summary>
    public string? HangfireJobId { get; set; }
}

/// <summary>One job parameter as the client sent it: a name (lower-cased) and a value.</summary>
public sealed record JobParameter(string Name, string Value);

/// <summary>
/// Something the service did to a job's request or run that the phase alone does not tell its owner (a value
/// clamped, an image override applied, the container killed, a result renamed or skipped). Shown in jobInfo.
/// </summary>
public sealed record JobMessage(DateTimeOffset Time, string Text);
