namespace ExecutionPlanner.Server.Http;

/// <summary>
/// A request the service refuses, with the 4xx status and the plain-text message the client gets.
/// Thrown by parsing and validation code deep inside a handler; the endpoint filter
/// <see cref="UwsErrorFilter"/> turns it into the response, so nothing of it reaches a 500.
/// </summary>
public sealed class UwsRequestException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public static UwsRequestException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    public static UwsRequestException NotFound(string message) => new(StatusCodes.Status404NotFound, message);

    public static UwsRequestException Forbidden(string message) => new(StatusCodes.Status403Forbidden, message);
}
