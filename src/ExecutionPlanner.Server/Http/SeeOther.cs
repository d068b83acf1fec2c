using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace ExecutionPlanner.Server.Http;

/// <summary>303 See Other with an absolute Location: what UWS requires after every POST that changes a job
/// (ASP.NET Core has no built-in 303 result, dotnet/aspnetcore#36172).</summary>
public sealed class SeeOther(string location) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public string Location { get; } = location;

    public int? StatusCode => StatusCodes.Status303SeeOther;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
        httpContext.Response.Headers.Location = Location;
        return Task.CompletedTask;
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status303SeeOther, typeof(void)));
}
