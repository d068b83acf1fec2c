using ExecutionPlanner.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace ExecutionPlanner.Server.Jobs.Store;

/// <summary>
/// The only place that changes a job's phase: a compare-and-set that names the phases it may leave.
/// False means someone else moved the job first (or it is gone); that is a normal outcome, not an
/// error. The database trigger announces every committed change with NOTIFY. The one other writer
/// is the run's claim (<see cref="RunQueue.ClaimByIdAsync"/>), the same compare-and-set for
/// QUEUED -> EXECUTING that also takes the lease.
/// A terminal move keeps the lease columns: the runner of an aborted job still needs its token to
/// store the results it collects (fenced), and the reaper looks only at EXECUTING jobs.
/// </summary>
public sealed class JobPhaseChanger(UwsDbContext db, TimeProvider clock)
{
    /// <param name="also">More columns to set in the same statement (start time, error, lease...).</param>
    /// <param name="leaseToken">When given, the change happens only while the caller still holds the job's lease.</param>
    public async Task<bool> TryMoveAsync(
        string jobId,
        ExecutionPhase to,
        IReadOnlyCollection<ExecutionPhase> from,
        CancellationToken ct,
        Action<UpdateSettersBuilder<JobEntity>>? also = null,
        Guid? leaseToken = null)
    {
        foreach (var phase in from)
        {
            if (!PhaseTransitions.IsAllowed(phase, to))
            {
                throw new ArgumentException($"The phase table has no edge {phase} -> {to}.", nameof(from));
            }
        }
        var now = UwsTime.Truncate(clock.GetUtcNow());
        var fromList = from.ToList();
        var query = db.Jobs.Where(j => j.Id == jobId && fromList.Contains(j.Phase));
        if (leaseToken is { } token)
        {
            query = query.Where(j => j.LeaseToken == token);
        }
        var terminal = PhaseTransitions.IsTerminal(to);
        var changed = await query.ExecuteUpdateAsync(s =>
        {
            s.SetProperty(j => j.Phase, to).SetProperty(j => j.PhaseChangedAt, now);
            if (to == ExecutionPhase.QUEUED)
            {
                s.SetProperty(j => j.QueuedAt, j => j.QueuedAt ?? now);
                // Whatever Hangfire job the row named (a held job's slot release, an earlier run) is done with it:
                // the dispatcher enqueues the run of a QUEUED row that names none.
                s.SetProperty(j => j.HangfireJobId, (string?)null);
            }
            if (to == ExecutionPhase.EXECUTING)
            {
                s.SetProperty(j => j.StartTime, j => j.StartTime ?? now);
            }
            if (terminal && to != ExecutionPhase.ARCHIVED)
            {
                s.SetProperty(j => j.EndTime, j => j.EndTime ?? now);
            }
            also?.Invoke(s);
        }, ct);
        return changed == 1;
    }
}
