using System.Collections.Concurrent;
using System.CommandLine;
using ExecutionPlanner.Cli.Planning;

namespace ExecutionPlanner.Cli.Commands;

/// <summary>
/// `ep plan`: one question to every planner, one ranked table back. The offers are reservations on each
/// platform, so they are rejected when the table is printed (or on Ctrl-C), unless --keep holds them until
/// they expire.
/// </summary>
internal static class PlanCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var task = new TaskOptions();
        var planning = new PlanningOptions();
        var rank = new Option<string>("--rank") { Description = "Order of the offers: earliest, biggest, longest or score.", DefaultValueFactory = _ => "earliest" };
        var keep = new Option<bool>("--keep") { Description = "Keep the offers (until they expire) instead of rejecting them after printing." };
        var command = new Command("plan", "Ask every planner whether, when and with what it can run the task; print one ranked table.");
        task.AddTo(command);
        planning.AddTo(command);
        command.Options.Add(rank);
        command.Options.Add(keep);
        command.SetAction((parse, ct) => global.GuardAsync(parse, context, async token =>
        {
            var json = parse.GetValue(global.Json);
            var spec = task.Read(parse);
            var services = planning.Read(parse);
            var ranking = OfferRanking.Parse(parse.GetValue(rank)!);
            using var http = new ServiceHttp(global.Tokens(parse, context));
            var held = new ConcurrentBag<OfferCandidate>();
            var decisions = new OfferDecisions(http);
            try
            {
                var answers = await PlanningOptions.AskAsync(context, json, new FederatedPlanner(http, context.Clock), services, spec, planning.ReadTimeout(parse), held, token);
                var ranked = OfferRanking.Order(answers.SelectMany(a => a.Offers), ranking, context.Clock.GetUtcNow());
                PlanningOptions.Print(context, json, answers, ranked, ranking);
                if (!parse.GetValue(keep))
                {
                    await ReportAsync(context, await decisions.RejectAllAsync(held));
                }
                return ranked.Count > 0 ? ExitCodes.Ok : answers.All(a => a.Kind == AnswerKind.Failed) ? ExitCodes.ServiceFailure : ExitCodes.NoOffer;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                await ReportAsync(context, await decisions.RejectAllAsync(held));
                await context.Error.WriteLineAsync($"ep: cancelled; the {held.Count(o => o.Href is not null)} offer(s) received were rejected.");
                return ExitCodes.Cancelled;
            }
        }, ct));
        return command;
    }

    public static async Task ReportAsync(CliContext context, IReadOnlyList<string> failures)
    {
        foreach (var line in failures)
        {
            await context.Error.WriteLineAsync($"ep: {line}");
        }
    }
}
