using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Execution.LiveOutput;

/// <summary>
/// How a running job's output is published (keys in the "Execution" section, kept apart from
/// <see cref="ExecutionOptions"/> so that this feature stays in its own files).
/// </summary>
public sealed class LiveOutputOptions
{
    public static readonly TimeSpan DefaultLiveOutputInterval = TimeSpan.FromMilliseconds(250);
    public const int DefaultLiveOutputTailBytes = 64 * 1024;

    /// <summary>How often new lines are published (NOTIFY) and the stored tail is updated.</summary>
    public TimeSpan LiveOutputInterval { get; set; } = DefaultLiveOutputInterval;

    /// <summary>How much of the end of stdout, and of stderr, GET …/results/stdout shows while the job runs.</summary>
    public int LiveOutputTailBytes { get; set; } = DefaultLiveOutputTailBytes;
}

sealed class LiveOutputOptionsValidator : IValidateOptions<LiveOutputOptions>
{
    public ValidateOptionsResult Validate(string? name, LiveOutputOptions o)
    {
        var errors = new List<string>();
        if (o.LiveOutputInterval < TimeSpan.FromMilliseconds(50) || o.LiveOutputInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add("Execution:LiveOutputInterval must be between 50 ms and 1 minute.");
        }
        if (o.LiveOutputTailBytes is < 1024 or > 16 * 1024 * 1024)
        {
            errors.Add("Execution:LiveOutputTailBytes must be between 1024 and 16777216.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
