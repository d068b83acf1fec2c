using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>/jobs/{id}/results: the results list, and each result's content.</summary>
public static class JobResultEndpoints
{
    public static async Task<UwsXmlResult> List(string jobId, HttpRequest request, UwsDbContext db, CallerResolver callers, CancellationToken ct)
    {
        var (_, files) = await db.GetOwnedWithFilesAsync(jobId, callers.Resolve(request), ct);
        var jobUrl = JobLinks.Job(request, jobId);
        return new UwsXmlResult(w => UwsXml.WriteResults(w, files, jobUrl));
    }

    /// <summary>
    /// A stored result; or, for stdout and stderr of a job still running (stored only when it ends, and a moment
    /// after an ABORT), the latest part its node has published (<see cref="JobOutputTailResult"/>).
    /// </summary>
    public static async Task<Results<JobFileResult, JobOutputTailResult>> Get(
        string jobId, string name, HttpRequest request, UwsDbContext db, CallerResolver callers, CancellationToken ct)
    {
        var job = await db.GetOwnedAsync(jobId, callers.Resolve(request), ct);
        if (name is "stdout" or "stderr"
            && (job.Phase == ExecutionPhase.EXECUTING
                || !await db.HasResultAsync(jobId, name, ct)))
        {
            return new JobOutputTailResult(jobId, name);
        }
        return new JobFileResult(jobId, JobFileKind.Result, name);
    }
}
