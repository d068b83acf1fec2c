using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ExecutionPlanner.Server.Jobs.Store;

/// <summary>Reads of jobs as their owner sees them. Another owner's job does not exist for the caller (404).</summary>
public static class JobQueries
{
    public static IQueryable<JobEntity> OwnedBy(this UwsDbContext db, Caller caller) =>
        db.Jobs.Where(j => j.OwnerId == caller.OwnerId);

    public static Task<JobEntity?> FindOwnedAsync(this UwsDbContext db, string jobId, Caller caller, CancellationToken ct) =>
        db.OwnedBy(caller).AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, ct);

    public static async Task<JobEntity> GetOwnedAsync(this UwsDbContext db, string jobId, Caller caller, CancellationToken ct) =>
        await db.FindOwnedAsync(jobId, caller, ct) ?? throw NoSuchJob(jobId);

    public static Task<List<JobFileInfo>> FileInfosAsync(this UwsDbContext db, string jobId, CancellationToken ct) =>
        db.JobFiles.AsNoTracking()
            .Where(f => f.JobId == jobId)
            .OrderBy(f => f.Kind).ThenBy(f => f.Name)
            .Select(f => new JobFileInfo(f.Kind, f.Name, f.MimeType, f.Size))
            .ToListAsync(ct);

    public static IQueryable<JobRef> List(this UwsDbContext db, Caller caller, JobListFilter filter)
    {
        var jobs = db.OwnedBy(caller).AsNoTracking();
        if (filter.Phases is { } phases)
        {
            var wanted = phases.ToList();
            jobs = jobs.Where(j => wanted.Contains(j.Phase));
        }
        else
        {
            jobs = jobs.Where(j => j.Phase != ExecutionPhase.ARCHIVED);
        }
        if (filter.After is { } after)
        {
            jobs = jobs.Where(j => j.CreationTime > after);
        }
        jobs = jobs.OrderByDescending(j => j.CreationTime).ThenByDescending(j => j.Id);
        if (filter.Last is { } last)
        {
            jobs = jobs.Take(last);
        }
        return jobs.Select(j => new JobRef(j.Id, j.Phase, j.RunId, j.OwnerId, j.CreationTime));
    }

    public static UwsRequestException NoSuchJob(string jobId) => UwsRequestException.NotFound($"No job '{jobId}'.");
}
