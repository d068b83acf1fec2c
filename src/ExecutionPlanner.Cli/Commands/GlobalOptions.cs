using System.CommandLine;
using ExecutionPlanner.Cli.Auth;

namespace ExecutionPlanner.Cli.Commands;

/// <summary>Options every command has (--json, --token), and the guard that turns every failure into one readable line.</summary>
internal sealed class GlobalOptions
{
    public Option<bool> Json { get; } = new("--json") { Description = "Print one JSON document on stdout instead of tables (for scripts).", Recursive = true };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "Bearer token for the services (else EP_TOKEN, else the config file: EP_CONFIG or ~/.config/ep/config.json). Never printed.",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Json);
        root.Options.Add(Token);
    }

    public TokenSource Tokens(ParseResult parse, CliContext context) => TokenSource.Load(parse.GetValue(Token), context.Environment);

    /// <summary>
    /// Runs a command body: a <see cref="CliException"/> becomes "ep: message" on stderr (and {"error": ...} with --json),
    /// Ctrl-C becomes exit 130, a malformed value becomes a usage error. No stack trace reaches a person.
    /// </summary>
    public async Task<int> GuardAsync(ParseResult parse, CliContext context, Func<CancellationToken, Task<int>> body, CancellationToken ct)
    {
        var json = parse.GetValue(Json);
        try
        {
            return await body(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await context.Error.WriteLineAsync("ep: cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (CliException ex)
        {
            return Fail(context, json, ex.Message, ex.ExitCode);
        }
        catch (FormatException ex)
        {
            return Fail(context, json, ex.Message, ExitCodes.Usage);
        }
        catch (OperationCanceledException)
        {
            return Fail(context, json, "a service did not answer in time.", ExitCodes.ServiceFailure);
        }
    }

    static int Fail(CliContext context, bool json, string message, int code)
    {
        context.Error.WriteLine($"ep: {message}");
        if (json)
        {
            Output.Json.Write(context, new System.Text.Json.Nodes.JsonObject { ["error"] = message, ["exitCode"] = code });
        }
        return code;
    }
}
