using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ExecutionPlanner.Server.Jobs.Store;

/// <summary>
/// Writes the end of a run in one transaction fenced by the lease token: the final phase, the
/// message, the exit code and the result files. Either all of it lands or none (a crash before the
/// commit leaves the job EXECUTING for the reaper, which collects the outcome again). Zero rows
/// fenced means another node owns the job now: nothing is written.
/// </summary>
public sealed class OutcomeWriter(IServiceScopeFactory scopes, TimeProvider clock)
{
    static readonly ExecutionPhase[] Executing = [ExecutionPhase.EXECUTING];

    public async Task<bool> WriteAsync(ClaimedJob job, JobOutcome outcome, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<UwsDbContext>();
        var phases = scope.ServiceProvider.GetRequiredService<JobPhaseChanger>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var fenced = await phases.TryMoveAsync(job.Id, outcome.Phase, Executing, ct, s => s
                .SetProperty(j => j.ErrorSummary, outcome.ErrorSummary)
                .SetProperty(j => j.ErrorDetail, outcome.ErrorDetail)
                .SetProperty(j => j.ErrorIsTransient, outcome.ErrorIsTransient)
                .SetProperty(j => j.ExitCode, outcome.ExitCode)
                .SetProperty(j => j.LeaseToken, (Guid?)null),
            job.LeaseToken);
        if (!fenced && outcome.Phase == ExecutionPhase.ABORTED)
        {
            // Aborted by its owner: the phase is already ABORTED, and our token still marks us as
            // the one collecting what it left (UWS: an aborted job keeps its results).
            fenced = await db.Jobs
                .Where(j => j.Id == job.Id && j.LeaseToken == job.LeaseToken && j.Phase == ExecutionPhase.ABORTED)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.ExitCode, outcome.ExitCode).SetProperty(j => j.LeaseToken, (Guid?)null), ct) == 1;
        }
        if (!fenced)
        {
            return false;
        }
        // No earlier results to replace: results are written only here, in the transaction that ends the run and
        // clears its lease token, and no phase leads back to EXECUTING from the ones it ends in, so no later claim or
        // takeover can write a second set. (Should that ever break, the second set is refused whole: every collected
        // set holds stdout and stderr, and (job_id, kind, name) is the key.)
        db.JobFiles.AddRange(outcome.Results);
        var now = clock.GetUtcNow();
        await JobMessages.AppendAsync(db, job.Id, outcome.Messages.Select(m => JobMessages.Create(now, m)).ToList(), ct);
        // No savepoint around the inserts (two more round trips per job): a failure rolls back the whole transaction.
        db.Database.AutoSavepointsEnabled = false;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Puts a job whose container never started back in the queue, keeping its place (fenced), and tells its
    /// owner why in a job message (<paramref name="why"/>: what kept attempt N from starting).
    /// </summary>
    public async Task<bool> RequeueAsync(ClaimedJob job, string why, CancellationToken ct) => await RequeueAsync(job, why, true, ct);

    /// <summary>
    /// As <see cref="RequeueAsync(ClaimedJob, string, CancellationToken)"/>; with <paramref name="spendAttempt"/> false the
    /// claim is not counted (the engine was away: no fault of the job's), so an outage cannot use up its attempts.
    /// </summary>
    public async Task<bool> RequeueAsync(ClaimedJob job, string why, bool spendAttempt, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<UwsDbContext>();
        var phases = scope.ServiceProvider.GetRequiredService<JobPhaseChanger>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var requeued = await phases.TryMoveAsync(job.Id, ExecutionPhase.QUEUED, Executing, ct, s => s
                .SetProperty(j => j.StartTime, (DateTimeOffset?)null)
                .SetProperty(j => j.LeaseToken, (Guid?)null)
                .SetProperty(j => j.LeaseOwner, (string?)null)
                .SetProperty(j => j.LeaseExpiresAt, (DateTimeOffset?)null)
                .SetProperty(j => j.ContainerId, (string?)null)
                .SetProperty(j => j.Attempt, j => spendAttempt ? j.Attempt : j.Attempt - 1),
            job.LeaseToken);
        if (requeued)
        {
            await JobMessages.AppendAsync(db, job.Id,
                [JobMessages.Create(clock.GetUtcNow(), $"Attempt {job.Attempt} did not start: {why} The job was queued again.")], ct);
            await tx.CommitAsync(ct);
        }
        return requeued;
    }
}
