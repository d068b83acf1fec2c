using System.Net.Sockets;
using Npgsql;

namespace ExecutionPlanner.Server.Http;

/// <summary>
/// While PostgreSQL (or the Docker engine) cannot be reached, every request that needs it answers
/// 503 Service Unavailable with Retry-After and a plain-text message, never a 500: the service is
/// fine, a dependency is briefly away (a database restart, a failover, an engine restart). Nothing is
/// lost by this answer: a request that failed this way changed nothing it could not finish.
/// The database is known here; other dependencies (the Docker engine) are told by an <see cref="IUnreachableDependency"/>
/// their feature registers, so that this plumbing depends on no feature.
/// </summary>
public sealed partial class DependencyOutage(RequestDelegate next, ILogger<DependencyOutage> logger, IEnumerable<IUnreachableDependency> others)
{
    /// <summary>What Retry-After says, in seconds: a database restart takes a few.</summary>
    public const int RetryAfterSeconds = 5;

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (WhatIsAway(ex) is { } away && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            LogOutage(logger, away, context.Request.Method, context.Request.Path, ex.Message);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync($"{away} cannot be reached right now; try again in a few seconds.");
        }
    }

    /// <summary>"The database" or another dependency's name when the exception (or one it wraps) says that one is away; otherwise null.</summary>
    string? WhatIsAway(Exception? ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case NpgsqlException { IsTransient: true }:
                case NpgsqlException { InnerException: SocketException or IOException or TimeoutException }:
                    return "The database";
            }
            foreach (var other in others)
            {
                if (other.AwayIn(e) is { } away)
                {
                    return away;
                }
            }
        }
        return null;
    }

    [LoggerMessage(EventId = 1901, Level = LogLevel.Warning, Message = "{Away} is unreachable: {Method} {Path} answered 503 ({Reason})")]
    static partial void LogOutage(ILogger logger, string away, string method, PathString path, string reason);
}
