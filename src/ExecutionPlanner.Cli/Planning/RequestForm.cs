namespace ExecutionPlanner.Cli.Planning;

/// <summary>Which request body a planner reads: the ExecutionBroker form (ours, Calycopis) or the 2021 Note's.</summary>
internal enum RequestForm
{
    ExecutionBroker,
    Note2021,
}
