using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Persistence;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// The atomic values of a job, as bare text/plain (no trailing newline): executionduration and
/// destruction (GET and POST), quote, owner and error (GET).
/// </summary>
public static class JobValueEndpoints
{
    public static async Task<ContentHttpResult> GetExecutionDuration(string jobId, HttpRequest request, UwsDbContext db, CallerResolver callers, CancellationToken ct) =>
        PlainText.Value((await db.GetOwnedAsync(jobId, callers.Resolve(request), ct)).ExecutionDuration.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>EXECUTIONDURATION may change only while the job is PENDING: a queued or running job keeps the limit it was committed with.</summary>
    public static async Task<SeeOther> PostExecutionDuration(
        string jobId, HttpRequest request, UwsDbContext db, CallerResolver callers, IOptionsMonitor<JobsOptions> options, TimeProvider clock,
        CancellationToken ct)
    {
        var caller = callers.Resolve(request);
        var form = await UwsRequestParameters.ReadAsync(request, options.CurrentValue, ct);
        var value = form.One(JobControl.ExecutionDuration)
            ?? throw UwsRequestException.BadRequest("EXECUTIONDURATION is required: a whole number of seconds (0 = as long as allowed).");
        var seconds = JobControl.ParseExecutionDuration(value, options.CurrentValue);
        var updated = await db.SetExecutionDurationIfPendingAsync(caller, jobId, seconds, ct);
        if (updated == 0)
        {
            var job = await db.GetOwnedAsync(jobId, caller, ct);
            throw UwsRequestException.Forbidden($"The job is {job.Phase}; executionduration can change only while it is PENDING.");
        }
        await AppendIfAnyAsync(db, jobId, ClampMessages.ForExecutionDuration(value, seconds), clock, ct);
        return new SeeOther(JobLinks.Job(request, jobId));
    }

    public static async Task<ContentHttpResult> GetDestruction(string jobId, HttpRequest request, UwsDbContext db, CallerResolver callers, CancellationToken ct) =>
        PlainText.Value(UwsTime.Format((await db.GetOwnedAsync(jobId, callers.Resolve(request), ct)).Destruction));

    /// <summary>DESTRUCTION may change in any phase, within creation + Jobs:MaxLifetime.</summary>
    public static async Task<SeeOther> PostDestruction(
        string jobId, HttpRequest request, UwsDbContext db, CallerResolver callers, IOptionsMonitor<JobsOptions> options, TimeProvider clock,
        CancellationToken ct)
    {
        var caller = callers.Resolve(request);
        var form = await UwsRequestParameters.ReadAsync(request, options.CurrentValue, ct);
        var value = form.One(JobControl.Destruction)
            ?? throw UwsRequestException.BadRequest("DESTRUCTION is required: an ISO 8601 instant such as 2026-01-31T12:00:00Z.");
        var job = await db.GetOwnedAsync(jobId, caller, ct);
        var destruction = JobControl.ParseDestruction(value, job.CreationTime, options.CurrentValue);
        if (await db.SetDestructionAsync(caller, jobId, destruction, ct) == 0)
        {
            throw JobQueries.NoSuchJob(jobId);
        }
        await AppendIfAnyAsync(db, jobId, ClampMessages.ForDestruction(destruction, job.CreationTime, options.CurrentValue), clock, ct);
        return new SeeOther(JobLinks.Job(request, jobId));
    }

    static Task AppendIfAnyAsync(UwsDbContext db, string jobId, string? message, TimeProvider clock, CancellationToken ct) =>
        message is null ? Task.CompletedTask : JobMessages.AppendAsync(db, jobId, [JobMessages.Create(clock.GetUtcNow(), message)], ct);

    /// <summary>The quote, or an empty string when the service cannot say (UWS §2.1.6).</summary>
    public static async Task<ContentHttpResult> GetQuote(string jobId, HttpRequest request, UwsDbContext db, CallerResolver callers, CancellationToken ct) =>
        PlainText.Value((await db.GetOwnedAsync(jobId, callers.Resolve(request), ct)).Quote is { } q ? UwsTime.Format(q) : string.Empty);

    /// <summary>The owner's name; an empty string for the anonymous owner.</summary>
    public static async Task<ContentHttpResult> GetOwner(string jobId, HttpRequest request, UwsDbContext db, CallerResolver callers, CancellationToken ct) =>
        PlainText.Value((await db.GetOwnedAsync(jobId, callers.Resolve(request), ct)).OwnerId);

    /// <summary>The full error text of a failed job; 404 when the job has no error.</summary>
    public static async Task<ContentHttpResult> GetError(string jobId, HttpRequest request, UwsDbContext db, CallerResolver callers, CancellationToken ct)
    {
        var job = await db.GetOwnedAsync(jobId, callers.Resolve(request), ct);
        // Never an empty body for a job with an error: the detail (its stderr) when there is any, else the summary.
        return (string.IsNullOrWhiteSpace(job.ErrorDetail) ? job.ErrorSummary : job.ErrorDetail) is { } error
            ? PlainText.Value(error)
            : throw UwsRequestException.NotFound($"The job is {job.Phase} and has no error.");
    }
}
