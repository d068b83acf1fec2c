using ExecutionPlanner.Server.Jobs;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// How this node runs jobs (configuration section "Execution"): slots, leases, container defaults and
/// isolation. Validated at start-up.
/// </summary>
public sealed class ExecutionOptions
{
    public const string Section = "Execution";

    public static readonly TimeSpan DefaultLeaseDuration = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(5);
    public const decimal DefaultDefaultCores = 1m;
    public const string DefaultDefaultMemory = "1Gi";
    public const long DefaultPidsLimit = 256;
    public const string DefaultUser = "65534:65534";
    public const long DefaultMaxResultBytes = 256L * 1024 * 1024;
    public const long MaxStoredBytes = 1024L * 1024 * 1024;
    public const long DefaultMaxLogBytes = 16L * 1024 * 1024;
    public const int DefaultMaxAttempts = 3;
    public const long DefaultTmpBytes = 64L * 1024 * 1024;
    public const long DefaultShmBytes = 64L * 1024 * 1024;
    public const int DefaultMaxResultFiles = 10_000;
    public static readonly TimeSpan DefaultResultsCheckInterval = TimeSpan.FromSeconds(2);

    /// <summary>Whether this node runs jobs at all (a node may serve UWS only).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Jobs this node runs at once. 0 means one per processor.</summary>
    public int Slots { get; set; }

    /// <summary>This node's name in leases. Default: host name plus a random suffix (unique per process).
    /// Set a stable name so a restarted node reconciles its own leftovers at once.</summary>
    public string? NodeId { get; set; }

    /// <summary>The deployment's name in container labels. Default: the database host, port and name.</summary>
    public string? Instance { get; set; }

    /// <summary>How long a claim stays valid without renewal; renewed every fifth of it.</summary>
    public TimeSpan LeaseDuration { get; set; } = DefaultLeaseDuration;

    /// <summary>Idle slots look for queued jobs this often even without a NOTIFY.</summary>
    public TimeSpan PollInterval { get; set; } = DefaultPollInterval;

    /// <summary>Cores given to a job that does not ask (capped by Jobs:MaxCores).</summary>
    public decimal DefaultCores { get; set; } = DefaultDefaultCores;

    /// <summary>Memory given to a job that does not ask, e.g. 1Gi (capped by Jobs:MaxMemory).</summary>
    public string DefaultMemory { get; set; } = DefaultDefaultMemory;

    public long PidsLimit { get; set; } = DefaultPidsLimit;

    /// <summary>The user jobs run as (uid:gid); never root unless an image override says so.</summary>
    public string User { get; set; } = DefaultUser;

    /// <summary>Largest total size of the files a job leaves in /uws/results.</summary>
    public long MaxResultBytes { get; set; } = DefaultMaxResultBytes;

    /// <summary>Largest stdout, and largest stderr, kept per job; the rest is cut.</summary>
    public long MaxLogBytes { get; set; } = DefaultMaxLogBytes;

    /// <summary>How many times a job is claimed before a fault that keeps it from starting ends it in ERROR.</summary>
    public int MaxAttempts { get; set; } = DefaultMaxAttempts;

    /// <summary>Size of the job's /tmp (a tmpfs: it counts against the job's memory).</summary>
    public long TmpBytes { get; set; } = DefaultTmpBytes;

    /// <summary>Size of the job's /dev/shm (a tmpfs: it counts against the job's memory).</summary>
    public long ShmBytes { get; set; } = DefaultShmBytes;

    /// <summary>Most result files kept per job; the rest are skipped, and a job message says so.</summary>
    public int MaxResultFiles { get; set; } = DefaultMaxResultFiles;

    /// <summary>
    /// How long a running job goes without the size of its /uws being measured, from its claim on (a job over
    /// MaxResultBytes is killed); a job that ends sooner is not measured (<see cref="ResultsSizeGuard"/>).
    /// </summary>
    public TimeSpan ResultsCheckInterval { get; set; } = DefaultResultsCheckInterval;

    /// <summary>Per-image relaxations of the isolation defaults; the first matching pattern applies.</summary>
    public List<ImageOverride> ImageOverrides { get; set; } = [];

    internal int EffectiveSlots => Slots > 0 ? Slots : Environment.ProcessorCount;

    internal long DefaultMemoryBytes => MemoryQuantity.TryParse(DefaultMemory, out var b) ? b : 0;

    internal TimeSpan HeartbeatInterval => LeaseDuration / 5;
}

/// <summary>What an operator may relax for images matching <see cref="Image"/> ('*' wildcards).</summary>
public sealed class ImageOverride
{
    public string Image { get; set; } = string.Empty;

    /// <summary>A Docker network mode (e.g. "bridge", "host"); default "none": no network.</summary>
    public string? NetworkMode { get; set; }

    public bool? ReadOnlyRootFilesystem { get; set; }

    public string? User { get; set; }
}

sealed class ExecutionOptionsValidator : IValidateOptions<ExecutionOptions>
{
    public ValidateOptionsResult Validate(string? name, ExecutionOptions o)
    {
        var errors = new List<string>();
        if (o.Slots is < 0 or > 256)
        {
            errors.Add("Execution:Slots must be between 0 (one per processor) and 256.");
        }
        if (o.LeaseDuration < TimeSpan.FromSeconds(1) || o.LeaseDuration > TimeSpan.FromHours(1))
        {
            errors.Add("Execution:LeaseDuration must be between 1 second and 1 hour.");
        }
        if (o.PollInterval < TimeSpan.FromMilliseconds(50))
        {
            errors.Add("Execution:PollInterval must be at least 50 ms.");
        }
        if (o.DefaultCores <= 0)
        {
            errors.Add("Execution:DefaultCores must be positive.");
        }
        if (!MemoryQuantity.TryParse(o.DefaultMemory, out _))
        {
            errors.Add($"Execution:DefaultMemory '{o.DefaultMemory}' is not a memory size such as 512Mi or 1Gi.");
        }
        if (o.PidsLimit < 8 || o.MaxResultBytes < 1024 || o.MaxLogBytes < 1024 || o.MaxAttempts < 1)
        {
            errors.Add("Execution: PidsLimit >= 8, MaxResultBytes and MaxLogBytes >= 1024 and MaxAttempts >= 1 are required.");
        }
        // Results and logs are stored as PostgreSQL bytea values, which hold at most 1 GiB each.
        if (o.MaxResultBytes > ExecutionOptions.MaxStoredBytes || o.MaxLogBytes > ExecutionOptions.MaxStoredBytes)
        {
            errors.Add("Execution: MaxResultBytes and MaxLogBytes can be at most 1Gi (a result is stored as one PostgreSQL bytea value).");
        }
        if (!JobUser.TryParseNumeric(o.User, out _, out _))
        {
            errors.Add($"Execution:User '{o.User}' must be a numeric uid:gid such as 65534:65534 (it owns the job's folders).");
        }
        if (o.TmpBytes < 1024 * 1024 || o.ShmBytes < 1024 * 1024 || o.MaxResultFiles < 1)
        {
            errors.Add("Execution: TmpBytes and ShmBytes >= 1 MiB and MaxResultFiles >= 1 are required.");
        }
        if (o.ResultsCheckInterval < TimeSpan.FromMilliseconds(100))
        {
            errors.Add("Execution:ResultsCheckInterval must be at least 100 ms.");
        }
        if (o.ImageOverrides.Any(i => string.IsNullOrWhiteSpace(i.Image)))
        {
            errors.Add("Execution:ImageOverrides: every override needs an Image pattern.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
