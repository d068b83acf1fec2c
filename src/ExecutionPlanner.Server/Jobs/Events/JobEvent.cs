namespace ExecutionPlanner.Server.Jobs.Events;

/// <summary>What happened to a job, as a live stream tells it (see <see cref="JobEventPayload"/> for the wire form).</summary>
public enum JobEventKind
{
    /// <summary>The job entered <see cref="JobEvent.Phase"/> at <see cref="JobEvent.Time"/> (a new job too).</summary>
    Phase,
    /// <summary>A message was appended to the job (<see cref="JobEvent.Text"/>).</summary>
    Message,
    /// <summary>The running container printed <see cref="JobEvent.Lines"/> on <see cref="JobEvent.Stream"/>.</summary>
    Output,
    /// <summary>The job was destroyed.</summary>
    Deleted,
    /// <summary>A callback delivery was queued (wakes the senders; never sent to streams).</summary>
    CallbackQueued,
}

/// <summary>
/// One event of one job, with its owner so that a caller's job list stream can be served without reading the row.
/// Only the fields of its <see cref="Kind"/> are set.
/// </summary>
public sealed record JobEvent(JobEventKind Kind, string JobId, string OwnerId)
{
    public ExecutionPhase Phase { get; init; }

    public DateTimeOffset Time { get; init; }

    public string Text { get; init; } = "";

    /// <summary>"stdout" or "stderr".</summary>
    public string Stream { get; init; } = "";

    public IReadOnlyList<string> Lines { get; init; } = [];

    public static JobEvent PhaseChanged(string jobId, string ownerId, ExecutionPhase phase, DateTimeOffset time) =>
        new(JobEventKind.Phase, jobId, ownerId) { Phase = phase, Time = time };
}
