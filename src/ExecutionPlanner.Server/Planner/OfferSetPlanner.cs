using ExecutionPlanner.Server.Http;
using System.Globalization;
using ExecutionPlanner.Server.Execution;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Persistence;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// Decides what to offer for a task: first the checks that need no ledger (kind, image policy, cores,
/// memory, storage and duration against what the platform and one job may have, the start window),
/// then the ledger's slots. Offers a spread, not copies: the earliest start, the most resources, the
/// longest duration, then later starts, up to Planner:MaxOffers. Resources are never below the
/// request's minima and are raised towards its maxima where the slot has room.
/// </summary>
public sealed class OfferSetPlanner(
    IOptionsMonitor<PlannerOptions> planner, IOptionsMonitor<JobsOptions> jobs, IOptionsMonitor<ExecutionOptions> execution,
    IOptionsMonitor<InputFetchOptions> fetch)
{
    const decimal GiB = 1024m * 1024 * 1024;
    const decimal MinCores = 0.001m;

    /// <summary>The task's resource needs and schedule with defaults filled in, or the reasons it cannot be met anywhere.</summary>
    public Needs? Check(TaskRequest task, Capacity platform, DateTimeOffset now, List<Reason> reasons)
    {
        if (!ExecutableKinds.IsDockerContainer(task.Kind))
        {
            reasons.Add(new Reason(task.Paths.Kind,
                $"The executable kind '{task.Kind}' is not supported by this service; it runs '{ExecutableKinds.DockerContainer}'."));
            return null;
        }
        var p = planner.CurrentValue;
        var j = jobs.CurrentValue;
        var e = execution.CurrentValue;
        if (string.IsNullOrWhiteSpace(task.Image))
        {
            throw UwsRequestException.BadRequest($"{task.Paths.Image} is required for a docker-container executable: the image to run.");
        }
        reasons.AddRange(task.Refusals);
        if (task.NetworkPortsPath is { } ports && !p.AllowNetworkPorts)
        {
            reasons.Add(new Reason(ports, "This service publishes no network ports: its containers run without a network (Planner:AllowNetworkPorts)."));
        }
        var allowed = fetch.CurrentValue;
        foreach (var input in task.Inputs)
        {
            var url = new Uri(input.Url);
            if (!allowed.Allows(url))
            {
                reasons.Add(new Reason(input.Path,
                    $"This service fetches data only from the hosts its operator allows (Jobs:AllowedInputHosts); '{url.Authority}' is not one of them."));
            }
        }
        try
        {
            JobParameterContract.Validate(JobParameters(task, null, null), [], j);
        }
        catch (UwsRequestException ex)
        {
            reasons.Add(new Reason(task.Paths.Image, ex.Message));
        }

        var jobCores = Math.Min(platform.Cores, j.MaxCores);
        var defaultCores = Math.Min(e.DefaultCores, jobCores);
        // Offers keep cores to 3 decimals: a smaller request is a request for a thousandth of a core.
        var coresMin = Math.Max(task.Cores?.Min ?? Math.Min(defaultCores, task.Cores?.Max ?? defaultCores), MinCores);
        var coresMax = Math.Max(task.Cores?.Max ?? coresMin, coresMin);
        if (coresMin > jobCores)
        {
            reasons.Add(new Reason(task.Paths.CoresMin,
                $"At least {coresMin.ToString(CultureInfo.InvariantCulture)} cores were asked for; a job here can have at most " +
                $"{jobCores.ToString(CultureInfo.InvariantCulture)} (the platform has {platform.Cores.ToString(CultureInfo.InvariantCulture)})."));
        }

        var jobMemory = Math.Min(platform.MemoryBytes, j.MaxMemoryBytes);
        var defaultMemory = Math.Min(e.DefaultMemoryBytes, jobMemory);
        var memoryMin = Math.Max(task.MemoryBytes?.Min ?? Math.Min(defaultMemory, task.MemoryBytes?.Max ?? defaultMemory), JobParameterContract.MinMemoryBytes);
        var memoryMax = Math.Max(task.MemoryBytes?.Max ?? memoryMin, memoryMin);
        if (memoryMin > jobMemory)
        {
            reasons.Add(new Reason(task.Paths.MemoryMin,
                $"At least {Gib(memoryMin)} GiB of memory was asked for; a job here can have at most {Gib(jobMemory)} GiB " +
                $"(the platform has {Gib(platform.MemoryBytes)} GiB)."));
        }

        var maxStorage = (long)(p.MaxStorageGiB * GiB);
        if (task.StorageBytes?.Min is { } storageMin && storageMin > maxStorage)
        {
            reasons.Add(new Reason(task.Paths.StorageMin,
                $"At least {Gib(storageMin)} GiB of storage was asked for; this service gives a job at most {p.MaxStorageGiB.ToString(CultureInfo.InvariantCulture)} GiB."));
        }

        var duration = task.Duration ?? TimeSpan.FromSeconds(j.DefaultExecutionDuration > 0 ? j.DefaultExecutionDuration : 3600);
        duration = TimeSpan.FromSeconds(Math.Ceiling(duration.TotalSeconds));
        var maxDuration = j.MaxExecutionDuration > 0 ? TimeSpan.FromSeconds(j.MaxExecutionDuration) : TimeSpan.MaxValue;
        if (duration > maxDuration)
        {
            reasons.Add(new Reason(task.Paths.Duration,
                $"A duration of {IsoDuration.Format(duration)} was asked for; a job here may run at most {IsoDuration.Format(maxDuration)}."));
        }

        var horizon = now + p.MaxStartHorizon;
        var window = task.Start ?? new StartWindow(now, now + (task.StartWithin is { } within && within < p.DefaultStartWindow ? within : p.DefaultStartWindow));
        if (window.Latest < now)
        {
            reasons.Add(new Reason(task.Paths.Start,
                $"The requested start window {IsoDuration.FormatInterval(window.Earliest, window.Latest)} has already passed."));
        }
        else if (window.Earliest > horizon)
        {
            reasons.Add(new Reason(task.Paths.Start,
                $"The requested start window begins after {UwsTime.Format(horizon)}; this service books at most {p.MaxStartHorizon} ahead."));
        }
        if (reasons.Count > 0)
        {
            return null;
        }
        var earliest = window.Earliest < now ? now : window.Earliest;
        var latest = window.Latest > horizon ? horizon : window.Latest;
        var storage = task.StorageBytes is { } s ? Math.Min(s.Max ?? s.Min ?? 0, maxStorage) : (long?)null;
        var longer = TimeSpan.FromSeconds(Math.Ceiling(duration.TotalSeconds * (double)p.LongerDurationFactor));
        return new Needs(
            new Range<decimal>(coresMin, Math.Min(coresMax, jobCores)),
            new Range<long>(memoryMin, Math.Min(memoryMax, jobMemory)),
            storage, earliest, latest, duration, longer > maxDuration ? maxDuration : longer);
    }

    /// <summary>The offers for a checked task in a ledger, or the reason none fits its window.</summary>
    public Plan Offer(TaskRequest task, Needs needs, CapacityLedger ledger)
    {
        var p = planner.CurrentValue;
        // One pass for the earliest fit and the best-provisioned fit (the first of equals). Once a fit
        // gets everything asked for, no later one can score higher, and the pass stops there.
        Slot? earliest = null;
        var most = default(Slot);
        var mostScore = double.MinValue;
        foreach (var slot in ledger.Slots(needs.Earliest, needs.Latest, needs.Duration))
        {
            if (!Fits(slot, needs))
            {
                continue;
            }
            earliest ??= slot;
            if (Score(slot, needs) is var score && score > mostScore)
            {
                (most, mostScore) = (slot, score);
            }
            if (mostScore >= MaxScore)
            {
                break;
            }
        }
        if (earliest is not { } first)
        {
            return Plan.No(new Reason(task.Paths.Start,
                $"No start between {UwsTime.Format(needs.Earliest)} and {UwsTime.Format(needs.Latest)} has " +
                $"{needs.Cores.Min!.Value.ToString(CultureInfo.InvariantCulture)} cores and {Gib(needs.Memory.Min!.Value)} GiB free " +
                $"for {IsoDuration.Format(needs.Duration)}."));
        }
        var offers = new List<PlannedOffer>();
        void Add(Slot slot)
        {
            if (offers.Count >= p.MaxOffers)
            {
                return;
            }
            var offer = Make(slot, needs, p);
            if (!offers.Contains(offer))
            {
                offers.Add(offer);
            }
        }
        Add(first);
        if (mostScore > Score(first, needs))
        {
            Add(most);
        }
        if (needs.LongerDuration > needs.Duration
            && ledger.Slots(needs.Earliest, needs.Latest, needs.LongerDuration).FirstOrDefault(s => Fits(s, needs)) is { Duration.Ticks: > 0 } longest)
        {
            Add(longest);
        }
        foreach (var later in ledger.Slots(needs.Earliest, needs.Latest, needs.Duration).Where(s => Fits(s, needs)).Skip(1))
        {
            if (offers.Count >= p.MaxOffers)
            {
                break;
            }
            if (later.Start >= offers.Max(o => o.StartLatest))
            {
                Add(later);
            }
        }
        return new Plan(offers, []);
    }

    static bool Fits(Slot s, Needs n) => s.FreeCores >= n.Cores.Min!.Value && s.FreeMemoryBytes >= n.Memory.Min!.Value;

    /// <summary>The score of a slot with everything asked for (each term is at most 1).</summary>
    const double MaxScore = 2;

    static double Score(Slot s, Needs n) =>
        (double)(Math.Min(s.FreeCores, n.Cores.Max!.Value) / n.Cores.Max!.Value)
        + (double)Math.Min(s.FreeMemoryBytes, n.Memory.Max!.Value) / n.Memory.Max!.Value;

    static PlannedOffer Make(Slot slot, Needs n, PlannerOptions p) => new(
        slot.Start,
        slot.Start + p.StartTolerance,
        slot.Duration,
        decimal.Round(Math.Min(slot.FreeCores, n.Cores.Max!.Value), 3, MidpointRounding.ToZero),
        // Whole MiB, so the job parameter reads back exactly.
        Math.Min(slot.FreeMemoryBytes, n.Memory.Max!.Value) / (1024 * 1024) * (1024 * 1024) is var m && m >= n.Memory.Min!.Value
            ? m : n.Memory.Min!.Value,
        n.StorageBytes);

    /// <summary>The simple-docker-uws job parameters for a task (image, cmd, env, cores, memory, inputs by reference).</summary>
    public static List<JobParameter> JobParameters(TaskRequest task, decimal? cores, long? memoryBytes)
    {
        var parameters = new List<JobParameter> { new(JobParameterContract.Image, task.Image ?? string.Empty) };
        parameters.AddRange(task.Command.Select(c => new JobParameter(JobParameterContract.Cmd, c)));
        parameters.AddRange(task.Environment.Select(e => new JobParameter(JobParameterContract.Env, $"{e.Key}={e.Value}")));
        if (cores is { } c)
        {
            parameters.Add(new JobParameter(JobParameterContract.Cores, c.ToString(CultureInfo.InvariantCulture)));
        }
        if (memoryBytes is { } m)
        {
            parameters.Add(new JobParameter(JobParameterContract.Memory, MemoryQuantity.Format(m)));
        }
        // Data resources are fetched by the server into /uws/inputs/<name> before the container starts.
        parameters.AddRange(task.Inputs.Select(i => new JobParameter(JobParameterContract.Input, $"{i.Name}={i.Url}")));
        return parameters;
    }

    static string Gib(long bytes) => Math.Round(bytes / GiB, 3).ToString(CultureInfo.InvariantCulture);
}

/// <summary>A checked task's needs: resource ranges (within what a job may have), storage, start window and durations.</summary>
public sealed record Needs(
    Range<decimal> Cores, Range<long> Memory, long? StorageBytes,
    DateTimeOffset Earliest, DateTimeOffset Latest, TimeSpan Duration, TimeSpan LongerDuration);
