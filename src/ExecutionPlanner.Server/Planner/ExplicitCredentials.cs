using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// Who a planner request acts for. By default the HTTP identity, exactly as for /jobs. A request that
/// lists explicit credentials (2023 draft: authentication [{type, mode: "explicit", spec}]) acts for
/// the owner of the first credential of a type this service knows; a known type that fails gets 401.
/// When none of the listed types is known the request is answered NO ("unknown token type") for the
/// HTTP identity.
/// </summary>
public static class ExplicitCredentials
{
    public const string UnknownTokenType = "unknown token type";

    /// <returns>The caller, and a reason for NO when the listed credentials are all of unknown types.</returns>
    public static (Caller Caller, Reason? No) Resolve(TaskRequest task, HttpRequest request, CallerResolver callers)
    {
        if (task.Authentication.Count == 0)
        {
            return (callers.Resolve(request), null);
        }
        var known = task.Authentication.Select((c, i) => (Credential: c, Index: i)).FirstOrDefault(c => AuthenticationTypes.IsKnown(c.Credential.Type));
        if (known.Credential is null)
        {
            var types = string.Join(", ", task.Authentication.Select(c => $"'{c.Type}'"));
            return (callers.Resolve(request), new Reason(RequestPaths.Authentication,
                $"{UnknownTokenType}: this service knows none of {types}; it takes '{AuthenticationTypes.BearerToken}' with spec {{\"token\": \"...\"}}."));
        }
        var token = known.Credential.Token;
        if (string.IsNullOrEmpty(token))
        {
            throw new UwsRequestException(StatusCodes.Status401Unauthorized,
                $"{RequestPaths.Authentication}/{known.Index}/spec/token is missing: a bearer-token credential carries its token there.");
        }
        return callers.OwnerOf(token) is { } owner
            ? (new Caller(owner), null)
            : throw new UwsRequestException(StatusCodes.Status401Unauthorized,
                $"{RequestPaths.Authentication}/{known.Index}: unknown bearer token.");
    }
}
