using ExecutionPlanner.Server.Jobs;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// How the planner answers (configuration section "Planner"): the platform's capacity, how many
/// offers an offer set holds, how long offers live and how far ahead the ledger looks. Validated at start-up.
/// </summary>
public sealed class PlannerOptions
{
    public const string Section = "Planner";

    public const int DefaultMaxOffers = 3;
    public static readonly TimeSpan DefaultOfferLifetime = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultDefaultStartWindow = TimeSpan.FromDays(1);
    public static readonly TimeSpan DefaultMaxStartHorizon = TimeSpan.FromDays(7);
    public static readonly TimeSpan DefaultStartTolerance = TimeSpan.FromMinutes(1);
    public const decimal DefaultLongerDurationFactor = 2m;
    public const decimal DefaultMaxStorageGiB = 10m;
    public static readonly TimeSpan DefaultSweepInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultLedgerRemovalRetention = TimeSpan.FromHours(1);
    public const decimal DefaultOwnerOfferShare = 0.5m;
    public const decimal DefaultAnonymousOfferShare = 0.1m;

    /// <summary>Cores the platform has for jobs; 0 means what the Docker engine reports (GET /info NCPU).</summary>
    public decimal PlatformCores { get; set; }

    /// <summary>Memory the platform has for jobs (e.g. 16Gi); empty means what the engine reports (MemTotal).</summary>
    public string? PlatformMemory { get; set; }

    /// <summary>Most offers in one offer set.</summary>
    public int MaxOffers { get; set; } = DefaultMaxOffers;

    /// <summary>How long an offer stays open; after that it is EXPIRED and its capacity free again.</summary>
    public TimeSpan OfferLifetime { get; set; } = DefaultOfferLifetime;

    /// <summary>The start window assumed when a request names none: from now, this long.</summary>
    public TimeSpan DefaultStartWindow { get; set; } = DefaultDefaultStartWindow;

    /// <summary>Latest start the planner books, counted from now.</summary>
    public TimeSpan MaxStartHorizon { get; set; } = DefaultMaxStartHorizon;

    /// <summary>Width of an offer's start window: the job starts between the slot and this much later.</summary>
    public TimeSpan StartTolerance { get; set; } = DefaultStartTolerance;

    /// <summary>The "longest duration" offer runs this many times the requested duration (capped by Jobs:MaxExecutionDuration).</summary>
    public decimal LongerDurationFactor { get; set; } = DefaultLongerDurationFactor;

    /// <summary>Most scratch storage a task may ask for, in GiB (the service does not manage storage beyond this check).</summary>
    public decimal MaxStorageGiB { get; set; } = DefaultMaxStorageGiB;

    /// <summary>How often offers past their expiry are marked EXPIRED and held jobs whose slot came are queued.</summary>
    public TimeSpan SweepInterval { get; set; } = DefaultSweepInterval;

    /// <summary>
    /// How long the record of a deleted queued, executing or held job (or open offer) is kept for other
    /// nodes' ledgers to read. A node that has not booked for longer reads its whole ledger again once.
    /// </summary>
    public TimeSpan LedgerRemovalRetention { get; set; } = DefaultLedgerRemovalRetention;

    /// <summary>
    /// Most of the platform's cores and memory one owner may hold in open (unaccepted) offers at once,
    /// as a share of the platform: offers are reservations, so without a cap one caller could book
    /// everything and leave everyone else NO until the offers expire. Values above 1 leave it unbounded in practice.
    /// </summary>
    public decimal OwnerOfferShare { get; set; } = DefaultOwnerOfferShare;

    /// <summary>The same share for anonymous callers, who are all one owner: smaller, since anyone can be them.</summary>
    public decimal AnonymousOfferShare { get; set; } = DefaultAnonymousOfferShare;

    /// <summary>Whether a task may ask for published network ports (Calycopis network.ports); NO otherwise.</summary>
    public bool AllowNetworkPorts { get; set; }

    internal long? PlatformMemoryBytes =>
        string.IsNullOrWhiteSpace(PlatformMemory) ? null : MemoryQuantity.TryParse(PlatformMemory, out var b) ? b : null;
}

sealed class PlannerOptionsValidator : IValidateOptions<PlannerOptions>
{
    public ValidateOptionsResult Validate(string? name, PlannerOptions o)
    {
        var errors = new List<string>();
        if (o.PlatformCores < 0)
        {
            errors.Add("Planner:PlatformCores must be >= 0 (0 = ask the Docker engine).");
        }
        if (!string.IsNullOrWhiteSpace(o.PlatformMemory) && !MemoryQuantity.TryParse(o.PlatformMemory, out _))
        {
            errors.Add($"Planner:PlatformMemory '{o.PlatformMemory}' is not a memory size such as 16Gi.");
        }
        if (o.MaxOffers is < 1 or > 20)
        {
            errors.Add("Planner:MaxOffers must be between 1 and 20.");
        }
        if (o.OfferLifetime < TimeSpan.FromMilliseconds(100))
        {
            errors.Add("Planner:OfferLifetime must be at least 100 ms.");
        }
        if (o.DefaultStartWindow < TimeSpan.Zero || o.MaxStartHorizon <= TimeSpan.Zero || o.DefaultStartWindow > o.MaxStartHorizon)
        {
            errors.Add("Planner:DefaultStartWindow must be >= 0 and not above Planner:MaxStartHorizon, which must be positive.");
        }
        if (o.StartTolerance < TimeSpan.Zero)
        {
            errors.Add("Planner:StartTolerance must be >= 0.");
        }
        if (o.LongerDurationFactor < 1)
        {
            errors.Add("Planner:LongerDurationFactor must be >= 1.");
        }
        if (o.MaxStorageGiB < 0)
        {
            errors.Add("Planner:MaxStorageGiB must be >= 0.");
        }
        if (o.SweepInterval < TimeSpan.FromMilliseconds(50))
        {
            errors.Add("Planner:SweepInterval must be at least 50 ms.");
        }
        if (o.LedgerRemovalRetention < TimeSpan.FromSeconds(1))
        {
            errors.Add("Planner:LedgerRemovalRetention must be at least 1 s.");
        }
        if (o.OwnerOfferShare <= 0 || o.AnonymousOfferShare <= 0)
        {
            errors.Add("Planner:OwnerOfferShare and Planner:AnonymousOfferShare must be above 0 (a share of the platform, such as 0.5).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
