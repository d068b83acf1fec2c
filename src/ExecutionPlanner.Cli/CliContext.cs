using Spectre.Console;

namespace ExecutionPlanner.Cli;

/// <summary>
/// Everything `ep` takes from its surroundings: where it prints, the environment variables, the clock
/// and the HTTP stack. Tests run the real commands in-process with their own context (no process-wide
/// environment variables, which parallel tests would share).
/// </summary>
internal sealed class CliContext
{
    public required IAnsiConsole Out { get; init; }

    /// <summary>Messages for a person (errors, hints); kept off stdout so that --json output stays parseable.</summary>
    public required TextWriter Error { get; init; }

    public required Func<string, string?> Environment { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Whether progress may be drawn (a terminal, not a pipe or a test).</summary>
    public bool Interactive { get; init; }

    public static CliContext ForProcess()
    {
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected)
        {
            // Spectre assumes 80 columns when stdout is not a terminal, which wraps every URL and reason in the
            // table; a file or a pager reads better with long lines.
            console.Profile.Width = 200;
        }
        return new CliContext
        {
            Out = console,
            Error = Console.Error,
            Environment = System.Environment.GetEnvironmentVariable,
            Interactive = !Console.IsOutputRedirected && !Console.IsErrorRedirected,
        };
    }
}
