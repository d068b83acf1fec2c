using ExecutionPlanner.Server.Auth;
using ExecutionPlanner.Server.Persistence;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>/jobs/{id}/results: the results list, and each result's content.</summary>
public static class JobResultEndpoints
{
    public static async Task<UwsXmlResult> List(string jobId, HttpRequest request, UwsDbContext db, CallerResolver callers, CancellationToken ct)
    {
        await db.GetOwnedAsync(jobId, callers.Resolve(request), ct);
        var files = await db.FileInfosAsync(jobId, ct);
        var jobUrl = JobLinks.Job(request, jobId);
        return new UwsXmlResult(w => UwsXml.WriteResults(w, files, jobUrl));
    }

    public static async Task<JobFileResult> Get(string jobId, string name, HttpRequest request, UwsDbContext db, CallerResolver callers, CancellationToken ct)
    {
        await db.GetOwnedAsync(jobId, callers.Resolve(request), ct);
        return new JobFileResult(jobId, JobFileKind.Result, name);
    }
}
