using System.Collections.Concurrent;
using System.CommandLine;
using ExecutionPlanner.Cli.Output;
using ExecutionPlanner.Cli.Planning;
using ExecutionPlanner.Cli.Tasks;
using Spectre.Console;

namespace ExecutionPlanner.Cli.Commands;

/// <summary>The planners to ask and how long to wait for each; shared by plan and run.</summary>
internal sealed class PlanningOptions
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public Option<string[]> Service { get; } = new("--service")
    {
        Description = "A planner URL (repeatable). A bare host means its /planner/offersets; prefix note: for a planner that reads the 2021 Note's request.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<string?> Services { get; } = new("--services") { Description = "A file with one planner per line: URL [eb|note]." };

    public Option<string?> Timeout { get; } = new("--timeout") { Description = "How long to wait for each planner (default 10s)." };

    public void AddTo(Command command)
    {
        command.Options.Add(Service);
        command.Options.Add(Services);
        command.Options.Add(Timeout);
    }

    public List<PlannerService> Read(ParseResult parse)
    {
        var services = new List<PlannerService>();
        foreach (var s in parse.GetValue(Service) ?? [])
        {
            services.Add(s.StartsWith("note:", StringComparison.OrdinalIgnoreCase)
                ? PlannerService.Parse(s[5..], RequestForm.Note2021)
                : PlannerService.Parse(s.StartsWith("eb:", StringComparison.OrdinalIgnoreCase) ? s[3..] : s));
        }
        if (parse.GetValue(Services) is { } file)
        {
            services.AddRange(ServiceList.Read(file));
        }
        if (services.Count == 0)
        {
            throw new CliException("No planner to ask: give --service URL (repeatable) or --services FILE.", ExitCodes.Usage);
        }
        return services;
    }

    public TimeSpan ReadTimeout(ParseResult parse) => parse.GetValue(Timeout) is { } t ? Quantities.ParseDuration(t) : DefaultTimeout;

    /// <summary>
    /// Asks every planner, drawing progress on a terminal. Every offer that arrives is put in <paramref name="held"/>
    /// at once, so that a Ctrl-C at any moment can reject them.
    /// </summary>
    public static async Task<IReadOnlyList<PlannerAnswer>> AskAsync(CliContext context, bool json, FederatedPlanner planner, IReadOnlyList<PlannerService> services, TaskSpec task,
        TimeSpan timeout, ConcurrentBag<OfferCandidate> held, CancellationToken ct)
    {
        void Hold(PlannerAnswer a)
        {
            foreach (var o in a.Offers)
            {
                held.Add(o);
            }
        }
        if (json || !context.Interactive)
        {
            return await planner.AskAllAsync(services, task, timeout, Hold, ct);
        }
        IReadOnlyList<PlannerAnswer> answers = [];
        await context.Out.Status().StartAsync($"Asking {services.Count} planners…", async status =>
        {
            var count = 0;
            answers = await planner.AskAllAsync(services, task, timeout, a =>
            {
                Hold(a);
                status.Status($"Asking {services.Count} planners… {Interlocked.Increment(ref count)} answered");
            }, ct);
        });
        return answers;
    }

    public static void Print(CliContext context, bool json, IReadOnlyList<PlannerAnswer> answers, IReadOnlyList<OfferCandidate> ranked, Ranking ranking, System.Text.Json.Nodes.JsonObject? extra = null)
    {
        if (json)
        {
            var doc = new System.Text.Json.Nodes.JsonObject
            {
                ["ranking"] = ranking.ToString().ToLowerInvariant(),
                ["offers"] = new System.Text.Json.Nodes.JsonArray(ranked.Select((o, i) => (System.Text.Json.Nodes.JsonNode?)Json.Offer(o, i + 1)).ToArray()),
                ["services"] = new System.Text.Json.Nodes.JsonArray(answers.Select(a => (System.Text.Json.Nodes.JsonNode?)Json.Answer(a, ranked)).ToArray()),
            };
            foreach (var (k, v) in extra ?? [])
            {
                doc[k] = v?.DeepClone();
            }
            Json.Write(context, doc);
            return;
        }
        context.Out.Write(OfferTable.Build(answers, ranked, context.Clock.GetUtcNow()));
        context.Out.WriteLine();
    }
}
