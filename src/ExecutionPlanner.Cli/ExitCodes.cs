namespace ExecutionPlanner.Cli;

/// <summary>How `ep` ends, so that scripts can tell a failed job from a failed conversation.</summary>
internal static class ExitCodes
{
    /// <summary>Done; for run and watch: the job ended COMPLETED.</summary>
    public const int Ok = 0;

    /// <summary>The job ended in ERROR.</summary>
    public const int JobError = 1;

    /// <summary>The job ended ABORTED (by a person or by the service, e.g. its executionDuration ran out).</summary>
    public const int JobAborted = 2;

    /// <summary>No planner offered to run the task.</summary>
    public const int NoOffer = 3;

    /// <summary>A service failed, refused, or answered something that could not be read.</summary>
    public const int ServiceFailure = 4;

    /// <summary>A watch ended at its --timeout while the job was still going.</summary>
    public const int StillRunning = 5;

    /// <summary>The command line or a task file was wrong.</summary>
    public const int Usage = 64;

    /// <summary>Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
