using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Persistence;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

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

    /// <summary>
    /// The caller's job and its file list in one round trip (the files joined in the same query), as a job document
    /// needs them; <see cref="NoSuchJob"/> when the caller has no such job.
    /// </summary>
    public static async Task<(JobEntity Job, List<JobFileInfo> Files)> GetOwnedWithFilesAsync(
        this UwsDbContext db, string jobId, Caller caller, CancellationToken ct)
    {
        await foreach (var row in WithFiles(db, [jobId], caller.OwnerId).WithCancellation(ct))
        {
            return (row.Job, row.Files);
        }
        throw NoSuchJob(jobId);
    }

    /// <summary>
    /// Jobs of <paramref name="ids"/> (of the owner <paramref name="ownerId"/> only, unless it is null), each with its file
    /// list (kind, then name), read by one query. Compiled: every job document and every woken WAIT reads through here,
    /// and EF's lookup of a query in its cache (walking the expression tree for the key and the parameters) costs about
    /// as much CPU as the read itself.
    /// </summary>
    static IAsyncEnumerable<JobWithFiles> WithFiles(UwsDbContext db, string[] ids, string? ownerId) =>
        CompiledWithFiles.GetValue(db.Model, _ => EF.CompileAsyncQuery(
            (UwsDbContext context, string[] jobIds, string? owner) => context.Jobs.AsNoTracking()
                // Enumerable's Contains by name: C# 14 binds jobIds.Contains to the span overload, which EF cannot translate here.
                .Where(j => Enumerable.Contains(jobIds, j.Id) && (owner == null || j.OwnerId == owner))
                .Select(j => new JobWithFiles
                {
                    Job = j,
                    Files = context.JobFiles.Where(f => f.JobId == j.Id)
                        .OrderBy(f => f.Kind).ThenBy(f => f.Name)
                        .Select(f => new JobFileInfo(f.Kind, f.Name, f.MimeType, f.Size))
                        .ToList(),
                })))(db, ids, ownerId);

    /// <summary>
    /// One compiled query per EF model: EF binds a compiled query to the model it first ran against, and a process may
    /// hold several (the woken-WAIT reader's contexts have their own options; tests and benchmarks host several servers).
    /// </summary>
    static readonly ConditionalWeakTable<IModel, Func<UwsDbContext, string[], string?, IAsyncEnumerable<JobWithFiles>>> CompiledWithFiles = new();

    sealed class JobWithFiles
    {
        public required JobEntity Job { get; init; }
        public required List<JobFileInfo> Files { get; init; }
    }

    /// <summary>The job whoever owns it (the server's own work: callbacks), or null.</summary>
    public static Task<JobEntity?> FindJobAsync(this UwsDbContext db, string jobId, CancellationToken ct) =>
        db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, ct);

    /// <summary>The job's uploads, contents and all, for staging into its container.</summary>
    public static Task<List<JobFileEntity>> InputFilesAsync(this UwsDbContext db, string jobId, CancellationToken ct) =>
        db.JobFiles.AsNoTracking().Where(f => f.JobId == jobId && f.Kind == JobFileKind.Input).ToListAsync(ct);

    /// <summary>Whether the job has a stored result of that name.</summary>
    public static Task<bool> HasResultAsync(this UwsDbContext db, string jobId, string name, CancellationToken ct) =>
        db.JobFiles.AnyAsync(f => f.JobId == jobId && f.Kind == JobFileKind.Result && f.Name == name, ct);

    /// <summary>
    /// The jobs of <paramref name="ids"/> with their file lists, in one query (a waiter's snapshot after a NOTIFY
    /// burst); a job that no longer exists is missing.
    /// </summary>
    public static async Task<Dictionary<string, (JobEntity Job, List<JobFileInfo> Files)>> ReadManyAsync(
        this UwsDbContext db, string[] ids, CancellationToken ct)
    {
        var jobs = new Dictionary<string, (JobEntity Job, List<JobFileInfo> Files)>(StringComparer.Ordinal);
        await foreach (var row in WithFiles(db, ids, null).WithCancellation(ct))
        {
            jobs[row.Job.Id] = (row.Job, row.Files);
        }
        return jobs;
    }

    /// <summary>
    /// The caller's active jobs and (when <paramref name="since"/> is given) every job of theirs whose phase changed
    /// from that instant on: at most <paramref name="max"/>, the most recently changed first.
    /// </summary>
    public static Task<List<JobPhaseRow>> PhaseChangesAsync(this UwsDbContext db, Caller caller, DateTimeOffset? since, int max, CancellationToken ct)
    {
        var active = PhaseTransitions.Active.ToList();
        var jobs = db.OwnedBy(caller).AsNoTracking();
        jobs = since is { } s
            ? jobs.Where(j => active.Contains(j.Phase) || j.PhaseChangedAt >= s)
            : jobs.Where(j => active.Contains(j.Phase));
        return jobs.OrderByDescending(j => j.PhaseChangedAt).Take(max)
            .Select(j => new JobPhaseRow(j.Id, j.OwnerId, j.Phase, j.PhaseChangedAt))
            .ToListAsync(ct);
    }

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

/// <summary>A job's phase and when it changed (the events stream's catch-up).</summary>
public sealed record JobPhaseRow(string Id, string OwnerId, ExecutionPhase Phase, DateTimeOffset PhaseChangedAt);
