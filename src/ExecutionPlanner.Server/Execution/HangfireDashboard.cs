using System.Net;
using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs;
using Hangfire;
using Hangfire.Dashboard;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// The Hangfire Dashboard at /hangfire, for operators only: the caller is authenticated exactly as for the API
/// (<see cref="CallerResolver"/>), and only owners listed in Auth:Operators get in (others 403, no credentials
/// 401), so no job of anyone's is shown to a non-operator. Read-only unless Hangfire:DashboardReadOnly is false.
/// Each Hangfire job's page names its UWS job and owner and links to the job's UWS URL.
/// </summary>
public static class HangfireDashboard
{
    public const string Path = "/hangfire";

    static int jobLinksAdded;

    public static WebApplication MapHangfireDashboard(this WebApplication app)
    {
        // The gate runs before Hangfire's own middleware, so it answers as the rest of the API does (plain text,
        // 401 with a challenge, 403), which Hangfire's authorization filters cannot (they only say 401 for us).
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Path), branch => branch.Use(async (context, next) =>
        {
            var callers = context.RequestServices.GetRequiredService<CallerResolver>();
            var operators = context.RequestServices.GetRequiredService<IOptionsMonitor<AuthOptions>>().CurrentValue.Operators;
            Caller caller;
            try
            {
                caller = callers.Resolve(context.Request);
            }
            catch (UwsRequestException ex)
            {
                CallerResolver.Challenge(context.Response);
                await Refuse(context, ex.StatusCode, ex.Message);
                return;
            }
            if (caller.IsAnonymous || !operators.Contains(caller.OwnerId, StringComparer.Ordinal))
            {
                await Refuse(context, StatusCodes.Status403Forbidden,
                    "The Hangfire dashboard is for operators only (Auth:Operators).");
                return;
            }
            await next(context);
        }));
        var readOnly = app.Services.GetRequiredService<IOptions<HangfireOptions>>().Value.DashboardReadOnly;
        app.UseHangfireDashboard(Path, new DashboardOptions
        {
            // The gate above already let only operators through.
            Authorization = [],
            AsyncAuthorization = [],
            IsReadOnlyFunc = _ => readOnly,
            DisplayStorageConnectionString = false,
            DashboardTitle = "ExecutionPlanner: Hangfire",
            AppPath = null,
        }, app.Services.GetRequiredService<JobStorage>());
        return app;
    }

    static Task Refuse(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message + "\n");
    }

    /// <summary>
    /// Adds, once per process (Hangfire keeps renderers in a static list), a line to every job page that links a
    /// UWS run to its UWS job.
    /// </summary>
    internal static void AddJobLinks()
    {
        if (Interlocked.Exchange(ref jobLinksAdded, 1) == 1)
        {
            return;
        }
        GlobalConfiguration.Configuration.UseJobDetailsRenderer(10, dto =>
        {
            var job = dto.JobDetails.Job;
            if (job?.Type != typeof(UwsJobRun) || job.Args.Count < 2 || job.Args[0] is not string jobId)
            {
                return new NonEscapedString(string.Empty);
            }
            var owner = job.Args[1] as string ?? string.Empty;
            var root = dto.Page.Context.Request.PathBase;
            root = root.EndsWith(Path, StringComparison.Ordinal) ? root[..^Path.Length] : root;
            var href = $"{root}/jobs/{Uri.EscapeDataString(jobId)}";
            return new NonEscapedString(
                $"<div class=\"alert alert-info\">UWS job <a href=\"{WebUtility.HtmlEncode(href)}\">{WebUtility.HtmlEncode(jobId)}</a>" +
                $", owner {WebUtility.HtmlEncode(owner)}</div>");
        });
    }
}
