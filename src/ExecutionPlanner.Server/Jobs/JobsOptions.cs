using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// The operator's rules for jobs (configuration section "Jobs"). Defaults live here; limits that a
/// request may not exceed are the Max* values. Validated at start-up so a bad value stops the host
/// at boot, not at the first job.
/// </summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    public static readonly string[] DefaultAllowedImages = ["executionplanner/*"];
    public const int DefaultDefaultExecutionDuration = 3600;
    public const int DefaultMaxExecutionDuration = 86_400;
    public static readonly TimeSpan DefaultDefaultLifetime = TimeSpan.FromDays(7);
    public static readonly TimeSpan DefaultMaxLifetime = TimeSpan.FromDays(30);
    public const int DefaultMaxWait = 60;
    public const int DefaultMaxParameterValueLength = 64 * 1024;
    public const int DefaultMaxParameterCount = 1000;
    public const long DefaultMaxUploadBytes = 64L * 1024 * 1024;
    public const decimal DefaultMaxCores = 4m;
    public const string DefaultMaxMemory = "8Gi";
    public static readonly TimeSpan DefaultDestructionSweepInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultEventHeartbeat = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Image patterns a job may use; '*' matches any run of characters. Empty means
    /// <see cref="DefaultAllowedImages"/> (the binder appends configured arrays to a non-empty default).
    /// </summary>
    public string[] AllowedImages { get; set; } = [];

    internal IReadOnlyList<string> EffectiveAllowedImages => AllowedImages.Length > 0 ? AllowedImages : DefaultAllowedImages;

    /// <summary>executionDuration of a new job, in seconds (0 = unlimited).</summary>
    public int DefaultExecutionDuration { get; set; } = DefaultDefaultExecutionDuration;

    /// <summary>Longest executionDuration a client may set, in seconds; longer requests (and 0) are clamped to it.</summary>
    public int MaxExecutionDuration { get; set; } = DefaultMaxExecutionDuration;

    /// <summary>Time from creation to destruction of a new job.</summary>
    public TimeSpan DefaultLifetime { get; set; } = DefaultDefaultLifetime;

    /// <summary>Latest destruction a client may set, counted from creation; later requests are clamped.</summary>
    public TimeSpan MaxLifetime { get; set; } = DefaultMaxLifetime;

    /// <summary>Longest blocking GET (WAIT), in seconds; WAIT=-1 and larger values wait this long.</summary>
    public int MaxWait { get; set; } = DefaultMaxWait;

    /// <summary>Longest single parameter value, in characters; longer values are refused with 400.</summary>
    public int MaxParameterValueLength { get; set; } = DefaultMaxParameterValueLength;

    /// <summary>Most parameters in one request.</summary>
    public int MaxParameterCount { get; set; } = DefaultMaxParameterCount;

    /// <summary>Largest request body (all uploaded files together); larger requests get 413.</summary>
    public long MaxUploadBytes { get; set; } = DefaultMaxUploadBytes;

    /// <summary>Most cores a job may ask for.</summary>
    public decimal MaxCores { get; set; } = DefaultMaxCores;

    /// <summary>Most memory a job may ask for (e.g. 8Gi).</summary>
    public string MaxMemory { get; set; } = DefaultMaxMemory;

    /// <summary>How often the destruction sweeper looks for jobs past their destruction time.</summary>
    public TimeSpan DestructionSweepInterval { get; set; } = DefaultDestructionSweepInterval;

    /// <summary>An event stream (/jobs/events, /jobs/{id}/events) sends a keep-alive comment after this long without events.</summary>
    public TimeSpan EventHeartbeat { get; set; } = DefaultEventHeartbeat;

    internal long MaxMemoryBytes => MemoryQuantity.TryParse(MaxMemory, out var b) ? b : 0;
}

sealed class JobsOptionsValidator : IValidateOptions<JobsOptions>
{
    public ValidateOptionsResult Validate(string? name, JobsOptions o)
    {
        var errors = new List<string>();
        if (o.AllowedImages.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("Jobs:AllowedImages must not contain empty patterns.");
        }
        if (o.DefaultExecutionDuration < 0 || o.MaxExecutionDuration < 0)
        {
            errors.Add("Jobs:DefaultExecutionDuration and Jobs:MaxExecutionDuration must be >= 0 seconds.");
        }
        if (o.MaxExecutionDuration > 0 && (o.DefaultExecutionDuration == 0 || o.DefaultExecutionDuration > o.MaxExecutionDuration))
        {
            errors.Add("Jobs:DefaultExecutionDuration must be between 1 and Jobs:MaxExecutionDuration.");
        }
        if (o.DefaultLifetime <= TimeSpan.Zero || o.MaxLifetime < o.DefaultLifetime)
        {
            errors.Add("Jobs:DefaultLifetime must be positive and not above Jobs:MaxLifetime.");
        }
        if (o.MaxWait is < 1 or > 3600)
        {
            errors.Add("Jobs:MaxWait must be between 1 and 3600 seconds.");
        }
        if (o.MaxParameterValueLength < 256 || o.MaxParameterCount < 8)
        {
            errors.Add("Jobs:MaxParameterValueLength must be >= 256 and Jobs:MaxParameterCount >= 8.");
        }
        if (o.MaxUploadBytes < 1024)
        {
            errors.Add("Jobs:MaxUploadBytes must be at least 1024.");
        }
        if (o.MaxCores <= 0)
        {
            errors.Add("Jobs:MaxCores must be positive.");
        }
        if (!MemoryQuantity.TryParse(o.MaxMemory, out _))
        {
            errors.Add($"Jobs:MaxMemory '{o.MaxMemory}' is not a memory size such as 512Mi or 8Gi.");
        }
        if (o.DestructionSweepInterval < TimeSpan.FromMilliseconds(100))
        {
            errors.Add("Jobs:DestructionSweepInterval must be at least 100 ms.");
        }
        if (o.EventHeartbeat < TimeSpan.FromMilliseconds(100) || o.EventHeartbeat > TimeSpan.FromMinutes(10))
        {
            errors.Add("Jobs:EventHeartbeat must be between 100 ms and 10 minutes.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
