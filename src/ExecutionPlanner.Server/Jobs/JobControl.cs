using ExecutionPlanner.Server.Http;
using System.Globalization;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// The UWS job-control values and the operator's limits on them: executionDuration is clamped to the
/// maximum (0, "unlimited", too), destruction to creation + the maximum lifetime (UWS §2.2.3.3-4: the
/// server MAY substitute its own value; the job document shows what was set).
/// </summary>
public static class JobControl
{
    public const string Phase = "PHASE";
    public const string RunId = "RUNID";
    public const string ExecutionDuration = "EXECUTIONDURATION";
    public const string Destruction = "DESTRUCTION";
    public const string Action = "ACTION";

    public static readonly IReadOnlySet<string> Names =
        new HashSet<string>([Phase, RunId, ExecutionDuration, Destruction], StringComparer.OrdinalIgnoreCase);

    public static int ParseExecutionDuration(string value, JobsOptions options)
    {
        if (!long.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) || seconds < 0)
        {
            throw UwsRequestException.BadRequest($"EXECUTIONDURATION '{value}' must be a whole number of seconds, 0 or more.");
        }
        var max = options.MaxExecutionDuration;
        if (max > 0 && (seconds == 0 || seconds > max))
        {
            return max;
        }
        return (int)Math.Min(seconds, int.MaxValue);
    }

    public static DateTimeOffset ParseDestruction(string value, DateTimeOffset creationTime, JobsOptions options)
    {
        if (!UwsTime.TryParse(value, out var instant))
        {
            throw UwsRequestException.BadRequest($"DESTRUCTION '{value}' is not an ISO 8601 instant such as 2026-01-31T12:00:00Z.");
        }
        return ClampDestruction(instant, creationTime, options);
    }

    public static DateTimeOffset ClampDestruction(DateTimeOffset requested, DateTimeOffset creationTime, JobsOptions options)
    {
        var latest = creationTime + options.MaxLifetime;
        return UwsTime.Truncate(requested > latest ? latest : requested);
    }

    /// <summary>WAIT in seconds, capped at MaxWait; -1 means the cap; several values: the smallest (checklist G.48).</summary>
    public static int ParseWait(IEnumerable<string> values, JobsOptions options)
    {
        int? wait = null;
        foreach (var value in values)
        {
            if (!int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) || n < -1)
            {
                throw UwsRequestException.BadRequest($"WAIT '{value}' must be -1 or a whole number of seconds, 0 or more.");
            }
            var capped = n == -1 || n > options.MaxWait ? options.MaxWait : n;
            wait = wait is { } w && w < capped ? w : capped;
        }
        return wait ?? 0;
    }
}
