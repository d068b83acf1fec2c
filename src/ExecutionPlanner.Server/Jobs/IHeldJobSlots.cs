namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// The offered slot a HELD job waits for, which PHASE=RUN may not jump. The planner answers it (it owns offers);
/// the job service only asks, so it depends on no planner type.
/// </summary>
public interface IHeldJobSlots
{
    /// <summary>The start of the accepted offer behind the job, or null when the job came from no offer.</summary>
    Task<DateTimeOffset?> SlotOfAsync(string jobId, CancellationToken ct);
}
