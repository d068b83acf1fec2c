using ExecutionPlanner.Server.Persistence;

namespace ExecutionPlanner.Server.Jobs.Store;

/// <summary>A job this node holds the lease of: what it needs to run (or reconcile) it.</summary>
public sealed record ClaimedJob(
    string Id,
    int Attempt,
    Guid LeaseToken,
    int ExecutionDuration,
    IReadOnlyList<JobParameter> Parameters,
    string? ContainerId,
    DateTimeOffset? ContainerStartedAt)
{
    /// <summary>When the job entered QUEUED; set by the claim only (for the queue-wait metric).</summary>
    public DateTimeOffset? QueuedAt { get; init; }

    /// <summary>
    /// Whether the job has uploads to stage; false only when the claim saw none (uploads are only added while a job is
    /// PENDING, so none can come after it), which spares the runner a read.
    /// </summary>
    public bool HasInputs { get; init; } = true;
}
