using System.Globalization;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// The job messages that say a UWS control value was replaced by the operator's limit (UWS lets the service
/// substitute its own value; the owner should learn that it did, not only see a different number).
/// </summary>
public static class ClampMessages
{
    public static string? ForExecutionDuration(string requested, int granted)
    {
        if (!long.TryParse(requested.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var asked) || asked == granted)
        {
            return null;
        }
        var what = asked == 0 ? "0 (unlimited)" : $"{asked} s";
        return $"EXECUTIONDURATION {what} was set to {granted} s, the longest this service allows.";
    }

    public static string? ForDestruction(DateTimeOffset granted, DateTimeOffset creationTime, JobsOptions options) =>
        granted == UwsTime.Truncate(creationTime + options.MaxLifetime)
            ? $"DESTRUCTION is {UwsTime.Format(granted)}, the latest this service allows (creation + {options.MaxLifetime.TotalDays:0.##} days)."
            : null;
}
