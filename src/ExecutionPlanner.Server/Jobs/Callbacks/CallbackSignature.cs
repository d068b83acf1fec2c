using System.Security.Cryptography;
using System.Text;

namespace ExecutionPlanner.Server.Jobs.Callbacks;

/// <summary>
/// X-EP-Signature: "sha256=" and the lower-case hex HMAC-SHA256 of the exact body bytes, keyed with
/// Jobs:CallbackSigningKey (UTF-8). A receiver recomputes it over the raw body and compares in constant time.
/// </summary>
public static class CallbackSignature
{
    public const string Header = "X-EP-Signature";
    public const string Prefix = "sha256=";

    public static string Sign(string key, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), body));

    public static bool Verify(string key, ReadOnlySpan<byte> body, string? header) =>
        header is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(key, body)), Encoding.ASCII.GetBytes(header.Trim()));
}
