
namespace ExecutionPlanner.Server.Http;

/// <summary>
/// Endpoint filter for the UWS and planner groups: a refused request (<see cref="UwsRequestException"/>)
/// or a malformed HTTP request body becomes a plain-text 4xx that says what was wrong.
/// </summary>
public sealed class UwsErrorFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (UwsRequestException ex)
        {
            if (ex.StatusCode == StatusCodes.Status401Unauthorized)
            {
                CallerResolver.Challenge(context.HttpContext.Response);
            }
            return PlainText.Error(ex.StatusCode, ex.Message);
        }
        catch (BadHttpRequestException ex)
        {
            return PlainText.Error(ex.StatusCode, $"Malformed request: {ex.Message}");
        }
    }
}
