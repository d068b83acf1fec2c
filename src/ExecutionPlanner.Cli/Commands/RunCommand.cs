using System.Collections.Concurrent;
using System.CommandLine;
using System.Text.Json.Nodes;
using ExecutionPlanner.Cli.Planning;
using ExecutionPlanner.Cli.Tasks;
using ExecutionPlanner.Cli.Uws;
using Spectre.Console;

namespace ExecutionPlanner.Cli.Commands;

/// <summary>
/// `ep run`: plan, accept the best offer by --pick (rejecting every other offer held), follow the job with
/// blocking WAIT, fetch its results into --output, and exit with a code that says how the job ended.
/// Ctrl-C before a job exists rejects every offer held; after, it leaves the job running and says how to follow it.
/// </summary>
internal static class RunCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var task = new TaskOptions();
        var planning = new PlanningOptions();
        var pick = new Option<string>("--pick") { Description = "Which offer to take: earliest, biggest, longest or score.", DefaultValueFactory = _ => "earliest" };
        var output = new Option<string?>("--output") { Description = "Folder for the results (default ./<job id>)." };
        var command = new Command("run", "Plan, accept the best offer, follow the job and download its results.");
        task.AddTo(command);
        planning.AddTo(command);
        command.Options.Add(pick);
        command.Options.Add(output);
        command.SetAction((parse, ct) => global.GuardAsync(parse, context, async token =>
        {
            var json = parse.GetValue(global.Json);
            var spec = task.Read(parse);
            var services = planning.Read(parse);
            var ranking = OfferRanking.Parse(parse.GetValue(pick)!);
            using var http = new ServiceHttp(global.Tokens(parse, context));
            var decisions = new OfferDecisions(http);
            var uws = new UwsService(http);
            var held = new ConcurrentBag<OfferCandidate>();
            var report = new JsonObject();
            Uri jobUrl;
            OfferCandidate chosen;
            try
            {
                var answers = await PlanningOptions.AskAsync(context, json, new FederatedPlanner(http, context.Clock), services, spec, planning.ReadTimeout(parse), held, token);
                var ranked = OfferRanking.Order(answers.SelectMany(a => a.Offers), ranking, context.Clock.GetUtcNow());
                if (!json)
                {
                    PlanningOptions.Print(context, json, answers, ranked, ranking);
                }
                if (ranked.Count == 0)
                {
                    if (json)
                    {
                        PlanningOptions.Print(context, json, answers, ranked, ranking);
                    }
                    await context.Error.WriteLineAsync("ep: no planner offered to run this task.");
                    return answers.All(a => a.Kind == AnswerKind.Failed) ? ExitCodes.ServiceFailure : ExitCodes.NoOffer;
                }
                (chosen, jobUrl) = await TakeFirstAsync(context, json, ranked, spec, decisions, uws, token);
                // Accepting rejects the chosen offer's siblings on its own service; the other services' offers are ours to release.
                await PlanCommand.ReportAsync(context, await decisions.RejectAllAsync(held.Where(o => o.Service != chosen.Service)));
                report["offer"] = Output.Json.Offer(chosen, ranked.IndexOf(chosen) + 1);
                report["services"] = new JsonArray(answers.Select(a => (JsonNode?)Output.Json.Answer(a, ranked)).ToArray());
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                await PlanCommand.ReportAsync(context, await decisions.RejectAllAsync(held));
                await context.Error.WriteLineAsync($"ep: cancelled before any job was created; the {held.Count(o => o.Href is not null)} offer(s) held were rejected.");
                return ExitCodes.Cancelled;
            }
            try
            {
                return await FollowAsync(context, json, uws, jobUrl, parse.GetValue(output), report, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                await context.Error.WriteLineAsync($"ep: stopped following; the job goes on. Follow it with: ep watch {jobUrl}  (or stop it: ep abort {jobUrl})");
                return ExitCodes.Cancelled;
            }
        }, ct));
        return command;
    }

    /// <summary>Accepts the offers in rank order until one holds (an offer may have expired meanwhile); a 2021 Note answer is run by submitting the job to its endpoint.</summary>
    static async Task<(OfferCandidate, Uri)> TakeFirstAsync(CliContext context, bool json, List<OfferCandidate> ranked, TaskSpec spec, OfferDecisions decisions, UwsService uws, CancellationToken ct)
    {
        var problems = new List<string>();
        foreach (var offer in ranked)
        {
            try
            {
                Uri job;
                if (offer.Href is not null)
                {
                    job = await decisions.AcceptAsync(offer, ct);
                }
                else if (offer.Endpoint is { } endpoint)
                {
                    job = await uws.SubmitAsync(endpoint, PlannerRequests.JobParameters(spec, offer.Cores, offer.MemoryGiB, offer.Duration), [], run: true, ct);
                }
                else
                {
                    problems.Add($"{offer.Service.Name}: said YES but named no offer and no endpoint");
                    continue;
                }
                if (!json)
                {
                    context.Out.MarkupLine($"Took offer from [bold]{Markup.Escape(offer.Service.Name)}[/] ({Markup.Escape(offer.Dialect)}); job {Markup.Escape(job.AbsoluteUri)}");
                }
                return (offer, job);
            }
            catch (CliException ex)
            {
                problems.Add(ex.Message);
                await context.Error.WriteLineAsync($"ep: {ex.Message}; trying the next offer.");
            }
        }
        throw new CliException($"No offer could be taken: {string.Join("; ", problems)}");
    }

    static async Task<int> FollowAsync(CliContext context, bool json, UwsService uws, Uri jobUrl, string? output, JsonObject report, CancellationToken ct)
    {
        var first = await uws.GetAsync(jobUrl, null, null, ct);
        if (first.Phase == "PENDING")
        {
            await uws.RunAsync(jobUrl, ct);
        }
        var job = await new JobFollower(uws, context.Clock).FollowAsync(jobUrl, null, j => WatchCommand.ShowPhase(context, json, j), ct);
        var folder = output ?? Path.Combine(Directory.GetCurrentDirectory(), job.JobId);
        var results = job.Results.Count > 0 ? job.Results : await uws.ResultsAsync(jobUrl, ct);
        var files = await new ResultDownloader(uws).DownloadAllAsync(jobUrl, results, folder, ct);
        if (json)
        {
            report["job"] = Output.Json.Job(job);
            report["downloaded"] = new JsonArray(files.Select(f => (JsonNode?)new JsonObject { ["id"] = f.Result.Id, ["path"] = f.Path, ["bytes"] = f.Bytes }).ToArray());
            Output.Json.Write(context, report);
        }
        else
        {
            WatchCommand.ShowEnd(context, job, files.FirstOrDefault(f => f.Result.Id == "stdout").Path);
            context.Out.MarkupLine($"{files.Count} result(s) in [bold]{Markup.Escape(folder)}[/]");
        }
        return WatchCommand.ExitCodeOf(job);
    }
}
