using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Execution;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Bench;

/// <summary>
/// Running jobs as containers (issue #3, item 8), against the same engine used directly.
/// Latency: one job at a time, POST /jobs PHASE=RUN (cmd true) until COMPLETED is seen, interleaved with
/// `docker run --rm` (CLI), the same plain container through DockerEngineClient, and the job's own
/// locked-down spec through DockerEngineClient with the server's collection calls. Throughput: N jobs
/// queued at once with 1, 2 and 4 slots against N `docker run --rm` (and DockerEngineClient runs) at the
/// same concurrency. The engine's own event times split each run into its phases.
/// </summary>
public static class ExecutionScenario
{
    /// <summary>Issue 9: a trivial job at most 1.15x the direct Docker.DotNet loop; 4-slot throughput at least 90 % of it.</summary>
    public const double TargetLatencyRatio = 1.15;
    public const double TargetThroughputShare = 0.90;
    const string Image = "executionplanner/busybox:1";
    const string BenchLabel = "org.executionplanner.bench";
    const string SeqLabel = "org.executionplanner.bench.seq";
    static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(120);

    static readonly byte[] RunBody = Encoding.ASCII.GetBytes("image=executionplanner%2Fbusybox%3A1&cmd=true&PHASE=RUN");

    sealed record JobRun(string Id, double ClientMs, DateTimeOffset PostedAt, DateTimeOffset SeenAt, string Phase,
        DateTimeOffset Creation, DateTimeOffset? Start, DateTimeOffset? End);

    sealed record ContainerRun(string Seq, double TotalMs, double ExitedMs, double CollectedMs, DateTimeOffset StartedAt, DateTimeOffset EndedAt);

    sealed record EngineEvent(string Action, DateTimeOffset Time);

    public static async Task RunAsync(BenchDatabase db, BenchOptions options, Report report)
    {
        using var overall = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        var ct = overall.Token;
        var runId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        using var docker = new DockerEngineClient(new DockerEngineOptions());
        var version = await docker.ConnectAsync(ct);
        report.Machine("Docker engine", $"{version.Version} (API {docker.ApiVersion}), {docker.Endpoint}");
        report.Machine("docker CLI", (await CliAsync(["version", "--format", "{{.Client.Version}}"], ct)).Output.Trim());
        await docker.InspectImageAsync(Image, ct);
        using var loop = new DirectDockerLoop(docker.Endpoint, docker.ApiVersion!, Image, new Dictionary<string, string> { [BenchLabel] = runId });
        string? instance = null;
        var sequence = 0;
        string NextSeq() => runId + "-" + Interlocked.Increment(ref sequence).ToString(CultureInfo.InvariantCulture);
        try
        {
            var first = true;
            foreach (var slots in options.Slots)
            {
                await using var server = await BenchServer.StartAsync(db.ConnectionString, options.PoolSize, new Dictionary<string, string?>
                {
                    ["Execution:Enabled"] = "true",
                    ["Execution:Slots"] = slots.ToString(CultureInfo.InvariantCulture),
                    ["Execution:PollInterval"] = "00:00:01",
                });
                instance = server.Services.GetRequiredService<ExecutionNode>().Instance;
                Console.Error.WriteLine($"execution: server with {slots} slot(s) at {server.BaseAddress}");
                using var http = server.NewClient(options.Containers + 16);
                var jobSpec = await JobSpecOfAsync(server, runId, ct);
                if (first)
                {
                    first = false;
                    await LatencyAsync(http, docker, loop, jobSpec, NextSeq, runId, options, report, ct);
                }
                else
                {
                    // A fresh server: warm it as the latency runs warmed the first (JIT, pools, the image's probes),
                    // or its throughput round measures its start-up against an engine client that is long warm.
                    for (var i = 0; i < Math.Max(options.WarmupRuns, 2); i++)
                    {
                        await RunJobAsync(http, ct);
                    }
                }
                await ThroughputAsync(http, docker, loop, jobSpec, slots, instance, NextSeq, runId, options, report, ct);
            }
        }
        finally
        {
            await CleanUpAsync(docker, runId, instance);
        }
    }

    static async Task LatencyAsync(HttpClient http, DockerEngineClient docker, DirectDockerLoop loop, ContainerSpec jobSpec, Func<string> nextSeq, string runId,
        BenchOptions options, Report report, CancellationToken ct)
    {
        Console.Error.WriteLine($"execution latency: {options.WarmupRuns} warm-up + {options.LatencyRuns} runs of each, interleaved");
        using var statements = StatementCounter.FromEnvironment();
        // The server's background commands (heartbeats, polls, sweeps) when no job runs, to take out of the per-job count.
        var idle0 = statements.Snapshot();
        var idleCpu0 = CpuMeter.Take();
        var idleWatch = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(10), ct);
        var idle1 = statements.Snapshot();
        report.Add("execution", "CPU while idle (no job), per second", CpuMeter.PerUnit(idleCpu0, CpuMeter.Take(), 10, "s"));
        var idleSeconds = idleWatch.Elapsed.TotalSeconds;
        var runWatch = Stopwatch.StartNew();
        var load0 = LoadAverage();
        var since = Now().AddSeconds(-1);
        var jobs = new List<JobRun>();
        var cli = new List<ContainerRun>();
        var plain = new List<ContainerRun>();
        var spec = new List<ContainerRun>();
        var direct = new List<double>();
        for (var i = 0; i < options.WarmupRuns + options.LatencyRuns; i++)
        {
            var measured = i >= options.WarmupRuns;
            var d = await loop.RunAsync(nextSeq(), SeqLabel, ct);
            var job = await RunJobAsync(http, ct);
            var c = await RunCliAsync(nextSeq(), runId, ct);
            var p = await RunEngineAsync(docker, PlainSpec(runId), nextSeq(), collect: false, ct);
            var s = await RunEngineAsync(docker, jobSpec, nextSeq(), collect: true, ct);
            if (measured)
            {
                direct.Add(d);
                jobs.Add(job);
                cli.Add(c);
                plain.Add(p);
                spec.Add(s);
            }
        }
        var load1 = LoadAverage();
        var run1 = statements.Snapshot();
        statements.PrintTexts("sql");
        var runSeconds = runWatch.Elapsed.TotalSeconds;
        var jobCount = options.WarmupRuns + options.LatencyRuns;
        double PerJob(long idleDelta, long runDelta) => (runDelta - idleDelta / idleSeconds * runSeconds) / jobCount;
        report.Add("execution", "database commands per job (Npgsql round trips, minus the idle background rate)",
            $"ours {Report.Num(PerJob(idle1.Ours - idle0.Ours, run1.Ours - idle1.Ours), "0.0")}, " +
            $"Hangfire's {Report.Num(PerJob(idle1.Hangfire - idle0.Hangfire, run1.Hangfire - idle1.Hangfire), "0.0")}; " +
            $"idle background: ours {Report.Num((idle1.Ours - idle0.Ours) / idleSeconds, "0.0")}/s, Hangfire's {Report.Num((idle1.Hangfire - idle0.Hangfire) / idleSeconds, "0.0")}/s");
        var failed = jobs.Count(j => j.Phase != "COMPLETED");
        var jobStats = Stats.Of(jobs.Select(j => j.ClientMs));
        var serverStats = Stats.Of(jobs.Where(j => j.End is not null).Select(j => (j.End!.Value - j.Creation).TotalMilliseconds));
        var cliStats = Stats.Of(cli.Select(r => r.TotalMs));
        var plainStats = Stats.Of(plain.Select(r => r.TotalMs));
        var plainExited = Stats.Of(plain.Select(r => r.ExitedMs));
        var specStats = Stats.Of(spec.Select(r => r.TotalMs));
        var specCollected = Stats.Of(spec.Select(r => r.CollectedMs));
        var specExited = Stats.Of(spec.Select(r => r.ExitedMs));
        var ratios = Stats.Of(jobs.Zip(cli, (j, c) => j.ClientMs / c.TotalMs));
        var ratioOfMedians = jobStats.Median / cliStats.Median;
        var directStats = Stats.Of(direct);
        var directRatio = jobStats.Median / directStats.Median;

        report.Add("execution", "latency: job, POST PHASE=RUN → COMPLETED seen (client)", Dist(jobStats));
        report.Add("execution", "latency: job, creationTime → endTime (job document)", Dist(serverStats));
        report.Add("execution", "latency: `docker run --rm … true` (CLI, whole command)", Dist(cliStats));
        report.Add("execution", "latency: DockerEngineClient, plain container: create → start → wait → remove",
            Dist(plainStats) + $"; to exit seen: median {Report.Ms(plainExited.Median)}");
        report.Add("execution", "latency: DockerEngineClient, the job's spec + inspect, logs, results archive, remove",
            Dist(specStats) + $"; to exit seen: median {Report.Ms(specExited.Median)}; to outcome collected: median {Report.Ms(specCollected.Median)}");
        report.Add("execution", "latency: Docker.DotNet directly (create with the job's isolation, start, wait, logs, GET /uws/results, remove)",
            Dist(directStats));
        report.Add("execution", "latency ratio job / Docker.DotNet directly",
            $"ratio of medians {Report.Num(directRatio, "0.00")}; median of paired ratios {Report.Num(Stats.Of(jobs.Zip(direct, (j, d) => j.ClientMs / d)).Median, "0.00")}",
            "≤ 1.15", directRatio <= TargetLatencyRatio);
        report.Add("execution", "latency ratio job / docker run (CLI)",
            $"ratio of medians {Report.Num(ratioOfMedians, "0.00")}; median of paired ratios {Report.Num(ratios.Median, "0.00")}");
        report.Add("execution", "latency ratio job / DockerEngineClient plain",
            $"ratio of medians {Report.Num(jobStats.Median / plainStats.Median, "0.00")}");
        report.Add("execution", "latency ratio job / DockerEngineClient with the job's spec and collection",
            $"ratio of medians {Report.Num(jobStats.Median / specStats.Median, "0.00")}");
        report.Add("execution", "latency: load average (1 min) before / after", $"{load0} / {load1}");
        if (failed > 0)
        {
            report.Note($"execution latency: {failed} job(s) did not end COMPLETED.");
        }

        // Where the time goes: the job document's times against the engine's own event times.
        var events = await EventsAsync(since, Now().AddSeconds(1), ct);
        Breakdown(report, jobs, cli, plain, events);
    }

    static void Breakdown(Report report, List<JobRun> jobs, List<ContainerRun> cli, List<ContainerRun> plain,
        Dictionary<string, List<EngineEvent>> events)
    {
        static DateTimeOffset? At(List<EngineEvent>? list, string action) => list?.FirstOrDefault(e => e.Action == action)?.Time;
        static string Med(IEnumerable<double?> values)
        {
            var v = values.Where(x => x is not null).Select(x => x!.Value).ToList();
            return v.Count == 0 ? "-" : Report.Ms(Stats.Of(v).Median);
        }
        static double? D(DateTimeOffset? a, DateTimeOffset? b) => a is null || b is null ? null : (b.Value - a.Value).TotalMilliseconds;

        var j = jobs.Select(r => (r, e: events.GetValueOrDefault("job:" + r.Id))).ToList();
        report.Add("execution", "job phases (medians)",
            $"POST → creationTime {Med(j.Select(x => D(x.r.PostedAt, x.r.Creation)))}; " +
            $"creationTime → startTime (claim) {Med(j.Select(x => D(x.r.Creation, x.r.Start)))}; " +
            $"claim → engine create {Med(j.Select(x => D(x.r.Start, At(x.e, "create"))))}; " +
            $"create → engine start {Med(j.Select(x => D(At(x.e, "create"), At(x.e, "start"))))}; " +
            $"start → die {Med(j.Select(x => D(At(x.e, "start"), At(x.e, "die"))))}; " +
            $"die → endTime (collect + write) {Med(j.Select(x => D(At(x.e, "die"), x.r.End)))}; " +
            $"endTime → client sees COMPLETED {Med(j.Select(x => D(x.r.End, x.r.SeenAt)))}; " +
            $"(endTime → destroy {Med(j.Select(x => D(x.r.End, At(x.e, "destroy"))))}, after completion)");
        foreach (var (name, runs) in new[] { ("docker run (CLI)", cli), ("DockerEngineClient plain", plain) })
        {
            var c = runs.Select(r => (r, e: events.GetValueOrDefault("bench:" + r.Seq))).ToList();
            report.Add("execution", $"{name} phases (medians)",
                $"command → engine create {Med(c.Select(x => D(x.r.StartedAt, At(x.e, "create"))))}; " +
                $"create → start {Med(c.Select(x => D(At(x.e, "create"), At(x.e, "start"))))}; " +
                $"start → die {Med(c.Select(x => D(At(x.e, "start"), At(x.e, "die"))))}; " +
                $"die → destroy {Med(c.Select(x => D(At(x.e, "die"), At(x.e, "destroy"))))}; " +
                $"destroy → command returns {Med(c.Select(x => D(At(x.e, "destroy"), x.r.EndedAt)))}");
        }
    }

    static async Task ThroughputAsync(HttpClient http, DockerEngineClient docker, DirectDockerLoop loop, ContainerSpec jobSpec, int slots, string instance, Func<string> nextSeq, string runId,
        BenchOptions options, Report report, CancellationToken ct)
    {
        var n = options.Containers;
        Console.Error.WriteLine($"execution throughput: {options.WarmupRounds} warm-up round(s), then {n} jobs with {slots} slot(s), {n} direct runs at concurrency {slots}");
        var load0 = LoadAverage();

        // Jobs: all POSTed at once (8 POSTs in flight), each then watched until final.
        async Task<(double Seconds, int Completed, double ServerSeconds)> JobsRoundAsync()
        {
            using var posting = new SemaphoreSlim(8);
            var t0 = Stopwatch.GetTimestamp();
            var runs = await Task.WhenAll(Enumerable.Range(0, n).Select(async _ =>
            {
                string id;
                await posting.WaitAsync(ct);
                try
                {
                    id = await PostJobAsync(http, ct);
                }
                finally
                {
                    posting.Release();
                }
                var (phase, doc) = await WaitFinalAsync(http, id, ct);
                return (Done: Stopwatch.GetTimestamp(), phase, doc);
            }));
            var result = (Stats.Ms(t0, runs.Max(r => r.Done)) / 1000, runs.Count(r => r.phase == "COMPLETED"),
                (runs.Max(r => Time(r.doc, "endTime") ?? DateTimeOffset.MinValue) - runs.Min(r => Time(r.doc, "creationTime")!.Value)).TotalSeconds);
            // The server removes a container after its job is final, off the job's path: let that end before the
            // direct loop runs, or the loop would pay for it.
            while ((await docker.ListContainersAsync([$"{ContainerLabels.Instance}={instance}"], ct)).Any())
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
            }
            return result;
        }
        Task<double> DirectRoundAsync() => ConcurrentlyAsync(n, slots, async () =>
        {
            await loop.RunAsync(nextSeq(), SeqLabel, ct);
            return (ContainerRun?)null;
        });
        for (var i = 0; i < options.WarmupRounds; i++)
        {
            // The database commands of a round of jobs, counted in the last warm-up round: the counter's own tracing
            // stays out of the measured round's CPU.
            using (var statements = i == options.WarmupRounds - 1 ? StatementCounter.FromEnvironment() : null)
            {
                await JobsRoundAsync();
                if (statements?.Snapshot() is { } counted)
                {
                    report.Add("execution", $"throughput, {slots}: database commands per job (a warm-up round of {n} jobs, background included)",
                        $"ours {Report.Num(counted.Ours / (double)n, "0.0")}, Hangfire's {Report.Num(counted.Hangfire / (double)n, "0.0")}");
                    statements.PrintTexts("sql-throughput");
                }
            }
            await DirectRoundAsync();
        }

        Console.Error.WriteLine($"execution throughput: measuring ({options.ThroughputRounds} pair(s) of rounds: jobs, then direct)");
        var pairs = new List<(double Jobs, double Direct, int Completed, double ServerSeconds)>();
        var jobsCpu = CpuMeter.Zero;
        var directCpu = CpuMeter.Zero;
        for (var i = 0; i < Math.Max(1, options.ThroughputRounds); i++)
        {
            var cpu0 = CpuMeter.Take();
            var (jobsRoundSeconds, roundCompleted, roundServerSeconds) = await JobsRoundAsync();
            var cpu1 = CpuMeter.Take();
            var directRoundSeconds = await DirectRoundAsync();
            var cpu2 = CpuMeter.Take();
            jobsCpu = CpuMeter.Plus(jobsCpu, cpu0, cpu1);
            directCpu = CpuMeter.Plus(directCpu, cpu1, cpu2);
            pairs.Add((jobsRoundSeconds, directRoundSeconds, roundCompleted, roundServerSeconds));
        }
        // The pair whose ratio is the median stands for the run; every pair's ratio is printed beside it.
        var median = pairs.OrderBy(p => p.Direct / p.Jobs).ElementAt(pairs.Count / 2);
        var (jobsSeconds, directSeconds, completed, serverSeconds) = median;
        var cliSeconds = await ConcurrentlyAsync(n, slots, () => RunCliAsync(nextSeq(), runId, ct));
        var plainSeconds = await ConcurrentlyAsync(n, slots, () => RunEngineAsync(docker, PlainSpec(runId), nextSeq(), collect: false, ct));
        var specSeconds = await ConcurrentlyAsync(n, slots, () => RunEngineAsync(docker, jobSpec, nextSeq(), collect: true, ct));
        var load1 = LoadAverage();

        var jobsRate = n / jobsSeconds;
        var directRate = n / directSeconds;
        var directShare = jobsRate / directRate;
        var cliRate = n / cliSeconds;
        var plainRate = n / plainSeconds;
        var specRate = n / specSeconds;
        var share = jobsRate / cliRate;
        report.Add("execution", $"throughput, {slots} slot(s): jobs",
            $"{Report.Num(jobsRate, "0.00")} jobs/s ({completed}/{n} COMPLETED in {Report.Num(jobsSeconds, "0.0")} s; " +
            $"first creationTime → last endTime {Report.Num(serverSeconds, "0.0")} s)");
        report.Add("execution", $"throughput, concurrency {slots}: Docker.DotNet directly", $"{Report.Num(directRate, "0.00")} containers/s ({Report.Num(directSeconds, "0.0")} s)");
        report.Add("execution", $"throughput, {slots}: jobs / Docker.DotNet directly", $"{Report.Num(directShare * 100, "0")} % " +
            $"(median of {pairs.Count} adjacent pairs: {string.Join(", ", pairs.Select(p => Report.Num(p.Direct / p.Jobs * 100, "0") + " %"))})",
            slots == 4 ? "≥ 90 % at 4" : "", slots == 4 ? directShare >= TargetThroughputShare : null);
        report.Add("execution", $"throughput, {slots}: CPU, jobs", CpuMeter.PerUnit(CpuMeter.Zero, jobsCpu, n * pairs.Count, "job") + ", all pairs");
        report.Add("execution", $"throughput, {slots}: CPU, Docker.DotNet directly", CpuMeter.PerUnit(CpuMeter.Zero, directCpu, n * pairs.Count, "container") + ", all pairs");
        report.Add("execution", $"throughput, concurrency {slots}: `docker run --rm` (CLI)", $"{Report.Num(cliRate, "0.00")} containers/s ({Report.Num(cliSeconds, "0.0")} s)");
        report.Add("execution", $"throughput, concurrency {slots}: DockerEngineClient plain", $"{Report.Num(plainRate, "0.00")} containers/s ({Report.Num(plainSeconds, "0.0")} s)");
        report.Add("execution", $"throughput, concurrency {slots}: DockerEngineClient, the job's spec + collection",
            $"{Report.Num(specRate, "0.00")} containers/s ({Report.Num(specSeconds, "0.0")} s); jobs / this: {Report.Num(jobsRate / specRate * 100, "0")} %");
        report.Add("execution", $"throughput, {slots}: jobs / docker run (CLI)",
            $"{Report.Num(share * 100, "0")} % (jobs / DockerEngineClient plain: {Report.Num(jobsRate / plainRate * 100, "0")} %); load {load0} / {load1}");
    }

    static async Task<double> ConcurrentlyAsync<T>(int total, int concurrency, Func<Task<T>> run)
    {
        var next = 0;
        var t0 = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= total)
            {
                await run();
            }
        }));
        return Stats.Ms(t0, Stopwatch.GetTimestamp()) / 1000;
    }

    static async Task<JobRun> RunJobAsync(HttpClient http, CancellationToken ct)
    {
        var postedAt = Now();
        var t0 = Stopwatch.GetTimestamp();
        var id = await PostJobAsync(http, ct);
        var (phase, doc) = await WaitFinalAsync(http, id, ct);
        var t1 = Stopwatch.GetTimestamp();
        return new JobRun(id, Stats.Ms(t0, t1), postedAt, Now(), phase,
            Time(doc, "creationTime")!.Value, Time(doc, "startTime"), Time(doc, "endTime"));
    }

    static async Task<string> PostJobAsync(HttpClient http, CancellationToken ct)
    {
        using var content = new ByteArrayContent(RunBody);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        using var response = await http.PostAsync(new Uri("/jobs", UriKind.Relative), content, ct);
        if (response.StatusCode != HttpStatusCode.SeeOther || response.Headers.Location is not { } location)
        {
            throw new InvalidOperationException($"POST /jobs answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }
        return location.OriginalString.TrimEnd('/').Split('/')[^1];
    }

    /// <summary>Blocking GETs (WAIT=30 on the current phase) until the job is final; at most 20 of them.</summary>
    static async Task<(string Phase, XDocument Doc)> WaitFinalAsync(HttpClient http, string id, CancellationToken ct)
    {
        var phase = "QUEUED";
        XDocument doc = new();
        for (var i = 0; i < 20; i++)
        {
            var xml = await http.GetStringAsync(new Uri($"/jobs/{id}?WAIT=30&PHASE={phase}", UriKind.Relative), ct);
            doc = XDocument.Parse(xml);
            phase = Element(doc, "phase") ?? "";
            if (phase is "COMPLETED" or "ERROR" or "ABORTED" or "ARCHIVED")
            {
                break;
            }
        }
        return (phase, doc);
    }

    static string? Element(XDocument doc, string localName) =>
        doc.Descendants().FirstOrDefault(e => e.Name.LocalName == localName && !e.HasElements) is { } e && !string.IsNullOrWhiteSpace(e.Value)
            ? e.Value.Trim()
            : null;

    static DateTimeOffset? Time(XDocument doc, string localName) =>
        Element(doc, localName) is { } text
            ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal)
            : null;

    static async Task<ContainerRun> RunCliAsync(string seq, string runId, CancellationToken ct)
    {
        var startedAt = Now();
        var t0 = Stopwatch.GetTimestamp();
        var (code, output) = await CliAsync(["run", "--rm", "--label", $"{BenchLabel}={runId}", "--label", $"{SeqLabel}={seq}", Image, "true"], ct);
        var ms = Stats.Ms(t0, Stopwatch.GetTimestamp());
        if (code != 0)
        {
            throw new InvalidOperationException($"docker run failed ({code}): {output}");
        }
        return new ContainerRun(seq, ms, ms, ms, startedAt, Now());
    }

    /// <summary>create → start → wait (→ inspect, logs, results archive, as the server collects) → remove.</summary>
    static async Task<ContainerRun> RunEngineAsync(DockerEngineClient docker, ContainerSpec spec, string seq, bool collect, CancellationToken ct)
    {
        var startedAt = Now();
        var t0 = Stopwatch.GetTimestamp();
        var labels = new Dictionary<string, string>(spec.Labels ?? new Dictionary<string, string>()) { [SeqLabel] = seq };
        var id = (await docker.CreateContainerAsync(null, spec with { Labels = labels }, ct)).Id;
        double exited, collected;
        try
        {
            await docker.StartContainerAsync(id, ct);
            await docker.WaitContainerAsync(id, ContainerWaitCondition.NotRunning, ct);
            exited = Stats.Ms(t0, Stopwatch.GetTimestamp());
            if (collect)
            {
                await docker.InspectContainerAsync(id, ct);
                using var stdout = new MemoryStream();
                using var stderr = new MemoryStream();
                await docker.CopyLogsAsync(id, stdout, stderr, new ContainerLogsOptions(), ct);
                await using var tar = await docker.GetArchiveAsync(id, ContainerSpecFactory.ResultsPath + "/.", ct);
                if (tar is not null)
                {
                    await tar.CopyToAsync(Stream.Null, ct);
                }
            }
            collected = Stats.Ms(t0, Stopwatch.GetTimestamp());
        }
        finally
        {
            await docker.RemoveContainerAsync(id, force: true, removeVolumes: true, CancellationToken.None);
        }
        return new ContainerRun(seq, Stats.Ms(t0, Stopwatch.GetTimestamp()), exited, collected, startedAt, Now());
    }

    static ContainerSpec PlainSpec(string runId) => new(Image)
    {
        Cmd = ["true"],
        Labels = new Dictionary<string, string> { [BenchLabel] = runId },
    };

    /// <summary>The very container spec the server makes for `cmd=true`, with bench labels instead of job labels
    /// (the server's orphan sweep removes containers labelled with its instance and no EXECUTING job). Like the
    /// server, its /uws volume starts as a copy of the image's job folders when the image ships usable ones: with an
    /// empty volume instead, the results download would find no /uws/results and skip the engine's archive work
    /// (on Docker 20.10 a re-executed dockerd per download), which the jobs and the direct loop both pay.</summary>
    static async Task<ContainerSpec> JobSpecOfAsync(BenchServer server, string runId, CancellationToken ct)
    {
        var parameters = new List<JobParameter> { new("image", Image), new("cmd", "true") };
        var spec = JobParameterContract.Validate(parameters, [], server.Services.GetRequiredService<IOptions<JobsOptions>>().Value);
        var job = new ClaimedJob("bench", 1, Guid.NewGuid(), 0, parameters, null, null);
        var (image, user) = await server.Services.GetRequiredService<JobUserResolver>().ResolveAsync(Image, null, ct);
        var shipsFolders = await server.Services.GetRequiredService<ImageJobFolders>().ShipsUsableFoldersAsync(image, user, ct);
        var containerSpec = server.Services.GetRequiredService<ContainerSpecFactory>()
            .Create(job, spec, server.Services.GetRequiredService<ExecutionNode>(), image, user, shipsFolders);
        return containerSpec with { Labels = new Dictionary<string, string> { [BenchLabel] = runId } };
    }

    /// <summary>`docker events` between two instants (the command ends by itself with --until), keyed by job or bench run.</summary>
    static async Task<Dictionary<string, List<EngineEvent>>> EventsAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken ct)
    {
        static string Unix(DateTimeOffset t) => (t.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);
        var (code, output) = await CliAsync(["events", "--since", Unix(since), "--until", Unix(until),
            "--filter", "type=container", "--format", "{{json .}}"], ct);
        var result = new Dictionary<string, List<EngineEvent>>(StringComparer.Ordinal);
        if (code != 0)
        {
            Console.Error.WriteLine($"docker events failed ({code}): {output}");
            return result;
        }
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var json = System.Text.Json.JsonDocument.Parse(line);
            var root = json.RootElement;
            var action = root.TryGetProperty("Action", out var a) ? a.GetString() ?? "" : "";
            var nanos = root.GetProperty("timeNano").GetInt64();
            var attributes = root.GetProperty("Actor").GetProperty("Attributes");
            var key = attributes.TryGetProperty(ContainerLabels.Job, out var job) ? "job:" + job.GetString()
                : attributes.TryGetProperty(SeqLabel, out var seq) ? "bench:" + seq.GetString()
                : null;
            if (key is null)
            {
                continue;
            }
            if (!result.TryGetValue(key, out var list))
            {
                result[key] = list = [];
            }
            list.Add(new EngineEvent(action, DateTimeOffset.UnixEpoch.AddTicks(nanos / 100)));
        }
        return result;
    }

    static async Task<(int Code, string Output)> CliAsync(IEnumerable<string> args, CancellationToken ct)
    {
        var info = new ProcessStartInfo("docker")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start docker");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CliTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Removes every container this run made (bench labels) or its servers left (their instance label).</summary>
    static async Task CleanUpAsync(DockerEngineClient docker, string runId, string? instance)
    {
        var leftovers = (await docker.ListContainersAsync([$"{BenchLabel}={runId}"], CancellationToken.None)).ToList();
        if (instance is not null)
        {
            leftovers.AddRange(await docker.ListContainersAsync([$"{ContainerLabels.Instance}={instance}"], CancellationToken.None));
        }
        foreach (var c in leftovers)
        {
            try
            {
                await docker.RemoveContainerAsync(c.Id, force: true, removeVolumes: true, CancellationToken.None);
            }
            catch (DockerEngineException ex)
            {
                Console.Error.WriteLine($"could not remove {c.Id}: {ex.Message}");
            }
        }
        Console.Error.WriteLine($"execution: removed {leftovers.Count} leftover container(s)");
    }

    static DateTimeOffset Now() => TimeProvider.System.GetUtcNow();

    static string Dist(Stats s) => $"median {Report.Ms(s.Median)}, p95 {Report.Ms(s.P95)}, min {Report.Ms(s.Min)}, max {Report.Ms(s.Max)} (n={s.Count})";

    static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
