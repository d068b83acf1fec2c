namespace ExecutionPlanner.Cli;

/// <summary>
/// A failure to tell a person in one sentence (a service down, a token refused, a bad task file), with the
/// exit code it ends `ep` with. Caught once, in <see cref="EpApp"/>, and printed without a stack trace.
/// </summary>
internal sealed class CliException : Exception
{
    public CliException(string message, int exitCode = ExitCodes.ServiceFailure) : base(message) => ExitCode = exitCode;

    public CliException(string message, Exception inner, int exitCode = ExitCodes.ServiceFailure) : base(message, inner) => ExitCode = exitCode;

    public CliException()
    {
    }

    public CliException(string message) : this(message, ExitCodes.ServiceFailure)
    {
    }

    public CliException(string message, Exception inner) : this(message, inner, ExitCodes.ServiceFailure)
    {
    }

    public int ExitCode { get; } = ExitCodes.ServiceFailure;
}
