namespace ExecutionPlanner.Server.Http;

/// <summary>
/// HEAD on every GET resource (RFC 9110 §9.3.2: the same status and headers as GET, no body), which
/// clients and proxies use to check a job or a result before fetching it. Routing sees a HEAD as a
/// GET, so no route needs mapping twice; the method is put back before the endpoint runs, so Kestrel
/// sends the headers and drops whatever the endpoint writes as body.
/// </summary>
public static class HeadRequests
{
    const string WasHead = "ExecutionPlanner.WasHead";

    /// <summary>Adds routing itself, so that HEAD is turned into GET before it and back after it.</summary>
    public static WebApplication UseRoutingWithHeadAsGet(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (HttpMethods.IsHead(context.Request.Method))
            {
                context.Request.Method = HttpMethods.Get;
                context.Items[WasHead] = true;
            }
            return next(context);
        });
        app.UseRouting();
        app.Use((context, next) =>
        {
            if (context.Items.ContainsKey(WasHead))
            {
                context.Request.Method = HttpMethods.Head;
            }
            return next(context);
        });
        return app;
    }
}
