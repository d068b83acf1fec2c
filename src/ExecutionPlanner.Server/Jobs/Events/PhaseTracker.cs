namespace ExecutionPlanner.Server.Jobs.Events;

/// <summary>
/// The last phase a stream sent for each job, so that a phase read from the database and the same change arriving
/// by NOTIFY are sent once, and an older change that arrives after a newer read is not sent at all (a client must
/// never see a job go back). Times are milliseconds; two changes in the same millisecond are both sent unless the
/// first was terminal.
/// </summary>
public sealed class PhaseTracker
{
    readonly Dictionary<string, (ExecutionPhase Phase, DateTimeOffset Time)> last = new(StringComparer.Ordinal);

    /// <summary>The latest phase time sent (for re-reads after a LISTEN reconnect).</summary>
    public DateTimeOffset? Latest { get; private set; }

    public bool ShouldSend(JobEvent e)
    {
        if (last.TryGetValue(e.JobId, out var seen)
            && (e.Time < seen.Time || (e.Time == seen.Time && (e.Phase == seen.Phase || PhaseTransitions.IsTerminal(seen.Phase)))))
        {
            return false;
        }
        last[e.JobId] = (e.Phase, e.Time);
        if (Latest is not { } latest || e.Time > latest)
        {
            Latest = e.Time;
        }
        return true;
    }

    public void Forget(string jobId) => last.Remove(jobId);
}
