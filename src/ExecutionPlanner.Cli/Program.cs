using ExecutionPlanner.Cli;

// `ep`: the whole program is EpApp; this file only connects it to the real terminal and environment.
return await EpApp.RunAsync(args, CliContext.ForProcess(), CancellationToken.None);
