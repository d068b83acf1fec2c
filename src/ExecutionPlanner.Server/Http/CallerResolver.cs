using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ExecutionPlanner.Server.Http;

/// <summary>
/// Maps a request to its owner: "Authorization: Bearer &lt;token&gt;" with a token the operator
/// configured, or, when the operator allows it, no credentials at all. An empty Basic header
/// (what some UWS clients send by default) counts as no credentials. A browser signed in through the
/// browser view (<see cref="SignedInBrowser"/>) carries its token in a cookie instead: that cookie is
/// accepted for reads, and for writes only from a form whose antiforgery token was checked.
/// </summary>
public sealed class CallerResolver(IOptionsMonitor<AuthOptions> options)
{
    public Caller Resolve(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if ((string.IsNullOrWhiteSpace(header) || IsEmptyBasic(header))
            && SignedInBrowser.Token(request) is { } signedIn && SignedInBrowser.MayActFor(request))
        {
            return OwnerOf(signedIn) is { } browserOwner
                ? new Caller(browserOwner)
                : throw new UwsRequestException(StatusCodes.Status401Unauthorized, "The signed-in token is no longer valid: sign in again.");
        }
        if (string.IsNullOrWhiteSpace(header) || IsEmptyBasic(header))
        {
            return options.CurrentValue.AllowAnonymous
                ? Caller.Anonymous
                : throw new UwsRequestException(StatusCodes.Status401Unauthorized,
                    "Authentication required: send 'Authorization: Bearer <token>'.");
        }
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            throw new UwsRequestException(StatusCodes.Status401Unauthorized,
                "Unsupported authorization scheme: send 'Authorization: Bearer <token>'.");
        }
        var owner = OwnerOf(header["Bearer ".Length..].Trim());
        return owner is null
            ? throw new UwsRequestException(StatusCodes.Status401Unauthorized, "Unknown bearer token.")
            : new Caller(owner);
    }

    /// <summary>The owner of a token, or null. Compares every configured token in constant time.</summary>
    public string? OwnerOf(string token)
    {
        var given = Encoding.UTF8.GetBytes(token);
        string? found = null;
        foreach (var (known, owner) in options.CurrentValue.Tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(known)))
            {
                found = owner;
            }
        }
        return found;
    }

    static bool IsEmptyBasic(string header)
    {
        if (!header.StartsWith("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var encoded = header["Basic".Length..].Trim();
        if (encoded.Length == 0)
        {
            return true;
        }
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            return decoded is ":" or "";
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static void Challenge(HttpResponse response) =>
        response.Headers[HeaderNames.WWWAuthenticate] = "Bearer realm=\"ExecutionPlanner\"";
}
