using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs.Events;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// The UWS 1.1 resource tree under /jobs (UWS §2.2.1). Other methods on these paths get 405; HEAD is answered like GET
/// (<see cref="HeadRequests"/>). A browser gets pages at /jobs and /jobs/{id} instead of the documents: the browser view
/// attaches them to the <see cref="JobRoutes"/> this returns (Web/BrowserApi), so the job service knows no page.
/// </summary>
public static class JobsApi
{
    public static JobRoutes MapJobs(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup(JobLinks.JobListPath).AddEndpointFilter<UwsErrorFilter>().WithTags("UWS");
        var list = jobs.MapGet("", JobListEndpoints.List);
        jobs.MapPost("", JobListEndpoints.Create).DisableAntiforgery();
        jobs.MapGet("/events", JobEventEndpoints.ForCaller).WithTags("Events");

        var job = jobs.MapGroup("/{jobId}");
        var get = job.MapGet("", JobEndpoints.Get);
        job.MapPost("", JobEndpoints.Post).DisableAntiforgery();
        job.MapDelete("", JobEndpoints.Delete);
        job.MapGet("/events", JobEventEndpoints.ForJob).WithTags("Events");
        job.MapGet("/phase", JobPhaseEndpoints.Get);
        job.MapPost("/phase", JobPhaseEndpoints.Post).DisableAntiforgery();
        job.MapGet("/executionduration", JobValueEndpoints.GetExecutionDuration);
        job.MapPost("/executionduration", JobValueEndpoints.PostExecutionDuration).DisableAntiforgery();
        job.MapGet("/destruction", JobValueEndpoints.GetDestruction);
        job.MapPost("/destruction", JobValueEndpoints.PostDestruction).DisableAntiforgery();
        job.MapGet("/quote", JobValueEndpoints.GetQuote);
        job.MapGet("/owner", JobValueEndpoints.GetOwner);
        job.MapGet("/error", JobValueEndpoints.GetError);
        job.MapGet("/parameters", JobParameterEndpoints.List);
        job.MapPost("/parameters", JobParameterEndpoints.Post).DisableAntiforgery();
        job.MapGet("/parameters/{name}", JobParameterEndpoints.Get);
        job.MapGet("/results", JobResultEndpoints.List);
        job.MapGet("/results/{**name}", JobResultEndpoints.Get);
        return new JobRoutes(jobs, list, get);
    }
}

/// <summary>The /jobs group and its two documents a browser view may stand in for: the job list and one job.</summary>
public sealed record JobRoutes(RouteGroupBuilder Jobs, RouteHandlerBuilder JobList, RouteHandlerBuilder Job);
