using System.CommandLine;
using ExecutionPlanner.Cli.Tasks;
using ExecutionPlanner.Cli.Uws;
using Spectre.Console;

namespace ExecutionPlanner.Cli.Commands;

/// <summary>`ep watch JOB`: follow any UWS 1.1 job to its end with blocking WAIT, printing each phase as it comes.</summary>
internal static class WatchCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var job = new Argument<string>("JOB") { Description = "The job's URL." };
        var timeout = new Option<string?>("--timeout") { Description = "Stop watching after this long (10m, PT1H); exit 5 if the job is still going." };
        var command = new Command("watch", "Follow a UWS job until it ends; the exit code says how it ended.") { job, timeout };
        command.SetAction((parse, ct) => global.GuardAsync(parse, context, async token =>
        {
            var json = parse.GetValue(global.Json);
            using var http = new ServiceHttp(global.Tokens(parse, context));
            var uws = new UwsService(http);
            var limit = parse.GetValue(timeout) is { } t ? Quantities.ParseDuration(t) : (TimeSpan?)null;
            var url = UwsCommands.Absolute(parse.GetValue(job)!);
            var final = await new JobFollower(uws, context.Clock).FollowAsync(url, limit, j => ShowPhase(context, json, j), token);
            if (json)
            {
                Output.Json.Write(context, Output.Json.Job(final));
            }
            else if (final.Final)
            {
                var stdout = final.Results.FirstOrDefault(r => r.Id == "stdout");
                ShowEnd(context, final, null, stdout is null ? null : await uws.GetTextOrNullAsync(url, stdout.Href, token));
            }
            return final.Final ? ExitCodeOf(final) : ExitCodes.StillRunning;
        }, ct));
        return command;
    }

    public static void ShowPhase(CliContext context, bool json, UwsJob job)
    {
        if (json)
        {
            return;
        }
        var color = job.Phase switch { "COMPLETED" => "green", "ERROR" => "red", "ABORTED" => "yellow", _ => "blue" };
        var clock = context.Clock.GetUtcNow().UtcDateTime.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        context.Out.MarkupLine($"{clock}  {Markup.Escape(job.JobId)}  [{color}]{job.Phase}[/]");
    }

    /// <summary>
    /// The end of a job: its output and, on ERROR or ABORTED, the errorSummary. UWS has no live output stream, so the
    /// container's stdout is shown when the service publishes it (ours does, as the result "stdout").
    /// </summary>
    public static void ShowEnd(CliContext context, UwsJob job, string? stdoutFile, string? stdoutText = null)
    {
        var text = stdoutText ?? (stdoutFile is not null && File.Exists(stdoutFile) ? File.ReadAllText(stdoutFile) : null);
        if (!string.IsNullOrEmpty(text))
        {
            context.Out.Write(new Panel(new Text(text.TrimEnd())).Header("stdout").Border(BoxBorder.Rounded));
            context.Out.WriteLine();
        }
        if (job.ErrorSummary is { } error)
        {
            context.Out.MarkupLine($"[red]{job.Phase}[/]: {Markup.Escape(error)}");
        }
    }

    public static int ExitCodeOf(UwsJob job) => job.Phase switch
    {
        "COMPLETED" => ExitCodes.Ok,
        "ABORTED" => ExitCodes.JobAborted,
        "ARCHIVED" => ExitCodes.Ok,
        _ => ExitCodes.JobError,
    };
}
