using System.Security.Cryptography;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>Job ids: 16 characters of lower-case base32 (80 random bits), a legal URI path segment.</summary>
public static class JobIds
{
    const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string New()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return string.Create(16, random.ToArray(), static (chars, bytes) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = Alphabet[bytes[i] & 31];
            }
        });
    }
}
