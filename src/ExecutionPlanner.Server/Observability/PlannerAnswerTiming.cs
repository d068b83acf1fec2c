using Microsoft.AspNetCore.Http.Metadata;

namespace ExecutionPlanner.Server.Observability;

/// <summary>
/// Times every answer of the planner's endpoints (the ones tagged "Planner…" in <see cref="Planner.PlannerApi"/>), from
/// routing to the last byte written, with the status code the client got. Middleware rather than an edit to each
/// handler: the planner's error filter turns exceptions into 4xx answers, and this sees their real status too.
/// </summary>
public static class PlannerAnswerTiming
{
    public static IApplicationBuilder UsePlannerAnswerTiming(this IApplicationBuilder app)
    {
        var meter = app.ApplicationServices.GetRequiredService<ExecutionPlannerMeter>();
        var clock = app.ApplicationServices.GetRequiredService<TimeProvider>();
        return app.Use(async (context, next) =>
        {
            if (context.GetEndpoint() is not RouteEndpoint endpoint || !IsPlanner(endpoint))
            {
                await next(context);
                return;
            }
            var started = clock.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                meter.PlannerAnswer(clock.GetElapsedTime(started), endpoint.RoutePattern.RawText ?? "", context.Request.Method, context.Response.StatusCode);
            }
        });
    }

    static bool IsPlanner(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetOrderedMetadata<ITagsMetadata>().Any(t => t.Tags.Any(tag => tag.StartsWith("Planner", StringComparison.Ordinal)));
}
