namespace ExecutionPlanner.Server.Jobs;

/// <summary>The ten UWS 1.1 execution phases (REC-UWS-1.1 §2.1.3). Stored and written by name.</summary>
public enum ExecutionPhase
{
    PENDING,
    QUEUED,
    EXECUTING,
    COMPLETED,
    ERROR,
    ABORTED,
    UNKNOWN,
    HELD,
    SUSPENDED,
    ARCHIVED,
}
