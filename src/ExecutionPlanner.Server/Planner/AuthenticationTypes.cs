namespace ExecutionPlanner.Server.Planner;

/// <summary>Explicit credential types a request may carry (2023 ExecutionBroker draft, "authentication").</summary>
public static class AuthenticationTypes
{
    /// <summary>A bearer token, the same tokens /jobs takes in the Authorization header; spec: {"token": "..."}.</summary>
    public const string BearerToken = "https://www.purl.org/ivoa.net/EB/schema/v1.0/types/authentication/bearer-token-1.0";

    public static bool IsKnown(string type) => string.Equals(type.Trim(), BearerToken, StringComparison.OrdinalIgnoreCase);
}
