using ExecutionPlanner.Cli;
using Spectre.Console;

namespace ExecutionPlanner.Tests.Integration.Cli;

/// <summary>What one `ep` invocation printed and how it ended.</summary>
public sealed record EpResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs the real `ep` command tree in this process, as a terminal would, but with its own output, its own
/// environment variables (only those given: no HOME, so no user's config file) and its own Ctrl-C token.
/// </summary>
public static class Ep
{
    public static async Task<EpResult> RunAsync(IReadOnlyDictionary<string, string>? environment, CancellationToken ct, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        // Wide enough that table cells (URLs, reasons) are not wrapped mid-word in assertions.
        console.Profile.Width = 400;
        var context = new CliContext
        {
            Out = console,
            Error = error,
            Environment = name => environment is not null && environment.TryGetValue(name, out var v) ? v : null,
            Interactive = false,
        };
        var code = await EpApp.RunAsync(args, context, ct);
        return new EpResult(code, output.ToString(), error.ToString());
    }

    public static Task<EpResult> RunAsync(params string[] args) => RunAsync(null, CancellationToken.None, args);
}
