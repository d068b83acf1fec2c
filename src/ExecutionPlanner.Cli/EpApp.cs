using System.CommandLine;
using ExecutionPlanner.Cli.Commands;

namespace ExecutionPlanner.Cli;

/// <summary>The `ep` command tree. Tests call <see cref="RunAsync"/> in-process with their own context.</summary>
internal static class EpApp
{
    /// <summary>Time allowed after Ctrl-C for the clean-up (rejecting held offers) before the process is ended.</summary>
    static readonly TimeSpan CleanUpAfterCtrlC = OfferDecisionsTimeout + TimeSpan.FromSeconds(2);

    static TimeSpan OfferDecisionsTimeout => Planning.OfferDecisions.RejectTimeout;

    public static RootCommand Build(CliContext context)
    {
        var global = new GlobalOptions();
        var root = new RootCommand("ep: ask many execution planners at once, run the chosen offer, and drive any UWS 1.1 service.");
        global.AddTo(root);
        root.Subcommands.Add(PlanCommand.Create(global, context));
        root.Subcommands.Add(RunCommand.Create(global, context));
        root.Subcommands.Add(UwsCommands.Submit(global, context));
        root.Subcommands.Add(UwsCommands.Jobs(global, context));
        root.Subcommands.Add(WatchCommand.Create(global, context));
        root.Subcommands.Add(UwsCommands.Results(global, context));
        root.Subcommands.Add(UwsCommands.Abort(global, context));
        root.Subcommands.Add(UwsCommands.Delete(global, context));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken ct)
    {
        var parse = Build(context).Parse(args);
        var config = new InvocationConfiguration
        {
            Output = context.Out.Profile.Out.Writer,
            Error = context.Error,
            ProcessTerminationTimeout = CleanUpAfterCtrlC,
        };
        var code = await parse.InvokeAsync(config, ct);
        // System.CommandLine reports parse errors with exit 1, which here means "the job ended in ERROR".
        return parse.Errors.Count > 0 ? ExitCodes.Usage : code;
    }
}
