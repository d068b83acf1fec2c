using System.Globalization;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// Memory sizes as operators and clients write them: a number with an optional Kubernetes-style
/// suffix: binary Ki, Mi, Gi, Ti (powers of 1024) or decimal k, M, G, T (powers of 1000); no
/// suffix means bytes. "512Mi", "2Gi", "1.5G".
/// </summary>
public static class MemoryQuantity
{
    static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("k", 1000m), ("K", 1000m), ("M", 1000m * 1000), ("G", 1000m * 1000 * 1000), ("T", 1000m * 1000 * 1000 * 1000),
    ];

    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var s = text.Trim();
        var factor = 1m;
        foreach (var (suffix, f) in Suffixes)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal))
            {
                factor = f;
                s = s[..^suffix.Length];
                break;
            }
        }
        if (!decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            || number <= 0)
        {
            return false;
        }
        // Compared before multiplying: a number near decimal's maximum times a factor would overflow.
        if (number > long.MaxValue / factor)
        {
            return false;
        }
        var total = number * factor;
        if (total < 1)
        {
            return false;
        }
        bytes = (long)decimal.Floor(total);
        return true;
    }

    public static string Format(long bytes)
    {
        const long Gi = 1024L * 1024 * 1024, Mi = 1024L * 1024, Ki = 1024;
        return bytes % Gi == 0 ? $"{bytes / Gi}Gi"
            : bytes % Mi == 0 ? $"{bytes / Mi}Mi"
            : bytes % Ki == 0 ? $"{bytes / Ki}Ki"
            : bytes.ToString(CultureInfo.InvariantCulture);
    }
}
