using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ExecutionPlanner.Server.Jobs.Store;

/// <summary>
/// The owner's writes to a job other than its phase (that is <see cref="JobPhaseChanger"/>): its values, its
/// parameters and uploads, and destroying it. Another owner's job does not exist for the caller (0 rows, 404).
/// </summary>
public static class JobWrites
{
    /// <summary>Sets executionduration while the job is PENDING; 0 when it is not (or is not the caller's).</summary>
    public static Task<int> SetExecutionDurationIfPendingAsync(this UwsDbContext db, Caller caller, string jobId, int seconds, CancellationToken ct) =>
        db.OwnedBy(caller)
            .Where(j => j.Id == jobId && j.Phase == ExecutionPhase.PENDING)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.ExecutionDuration, seconds), ct);

    /// <summary>Sets the destruction time in any phase; 0 when the job is not the caller's.</summary>
    public static Task<int> SetDestructionAsync(this UwsDbContext db, Caller caller, string jobId, DateTimeOffset destruction, CancellationToken ct) =>
        db.OwnedBy(caller).Where(j => j.Id == jobId)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Destruction, destruction), ct);

    /// <summary>
    /// Destroys a job: its row and, by cascade in the same statement, its files. The trigger's
    /// NOTIFY tells the node running it (if any) to stop the container. 0 when the job is not the caller's.
    /// </summary>
    public static Task<int> DestroyAsync(this UwsDbContext db, Caller caller, string jobId, CancellationToken ct) =>
        db.OwnedBy(caller).Where(j => j.Id == jobId).ExecuteDeleteAsync(ct);

    /// <summary>Inserts one job row (a job made by accepting an offer), within the caller's transaction if any.</summary>
    public static async Task InsertJobAsync(this UwsDbContext db, JobEntity job, CancellationToken ct)
    {
        db.Jobs.Add(job);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Deletes up to <paramref name="batch"/> jobs past their destruction time at <paramref name="now"/>, earliest first; returns how many.</summary>
    public static Task<int> DestroyExpiredAsync(this UwsDbContext db, DateTimeOffset now, int batch, CancellationToken ct) =>
        db.Jobs.Where(j => j.Destruction <= now)
            .OrderBy(j => j.Destruction).Take(batch)
            .ExecuteDeleteAsync(ct);

    /// <summary>
    /// Replaces a job's parameters and uploads in one transaction that locks the job row, so a concurrent RUN sees
    /// either the old or the new parameters, never a mix. <paramref name="decide"/> gets the locked job and the
    /// names of its stored uploads and returns the new parameter list, or throws (not PENDING, contract broken):
    /// then nothing is written.
    /// </summary>
    public static async Task ReplaceParametersAsync(
        this UwsDbContext db, Caller caller, string jobId, IReadOnlyList<JobFileEntity> uploads,
        Func<JobEntity, List<string>, List<JobParameter>> decide, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var job = await db.Jobs.FromSql($"SELECT * FROM jobs WHERE id = {jobId} FOR UPDATE")
            .Where(j => j.OwnerId == caller.OwnerId).SingleOrDefaultAsync(ct) ?? throw JobQueries.NoSuchJob(jobId);
        if (job.Phase != ExecutionPhase.PENDING)
        {
            throw UwsRequestException.Forbidden($"The job is {job.Phase}; parameters can change only while it is PENDING.");
        }
        var inputNames = await db.JobFiles.Where(f => f.JobId == jobId && f.Kind == JobFileKind.Input).Select(f => f.Name).ToListAsync(ct);
        var merged = decide(job, inputNames);

        job.Parameters = merged;
        var newNames = uploads.Select(i => i.Name).ToList();
        await db.JobFiles.Where(f => f.JobId == jobId && f.Kind == JobFileKind.Input && newNames.Contains(f.Name)).ExecuteDeleteAsync(ct);
        db.JobFiles.AddRange(uploads);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }
}
