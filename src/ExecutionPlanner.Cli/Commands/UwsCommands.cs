using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ExecutionPlanner.Cli.Tasks;
using ExecutionPlanner.Cli.Uws;
using Spectre.Console;

namespace ExecutionPlanner.Cli.Commands;

/// <summary>The commands for any UWS 1.1 service: submit, jobs, results, abort, delete (watch has its own file).</summary>
internal static class UwsCommands
{
    public static Command Submit(GlobalOptions global, CliContext context)
    {
        var jobList = new Argument<string>("JOBLIST") { Description = "The job list URL (e.g. http://host/jobs or a TAP service's /async)." };
        var param = new Option<string[]>("--param", "-p") { Description = "NAME=VALUE, a job parameter (repeatable; repeated names keep their order).", Arity = ArgumentArity.ZeroOrMore };
        var upload = new Option<string[]>("--upload") { Description = "NAME=PATH, a file sent as a multipart part (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var image = new Option<string?>("--image") { Description = "simple-docker-uws: the image parameter." };
        var cmd = new Option<string[]>("--cmd") { Description = "simple-docker-uws: one cmd argument (repeatable, in order).", Arity = ArgumentArity.ZeroOrMore };
        var run = new Option<bool>("--run") { Description = "Start the job at once (PHASE=RUN)." };
        var command = new Command("submit", "Create a job on any UWS 1.1 job list; prints its URL.") { jobList, param, upload, image, cmd, run };
        command.SetAction((parse, ct) => global.GuardAsync(parse, context, async token =>
        {
            var parameters = new List<KeyValuePair<string, string>>();
            if (parse.GetValue(image) is { } i)
            {
                parameters.Add(new("image", i));
            }
            parameters.AddRange((parse.GetValue(cmd) ?? []).Select(c => KeyValuePair.Create("cmd", c)));
            parameters.AddRange((parse.GetValue(param) ?? []).Select(p => Pair(p, "--param")));
            var files = (parse.GetValue(upload) ?? []).Select(u => Pair(u, "--upload")).ToList();
            using var http = new ServiceHttp(global.Tokens(parse, context));
            var uws = new UwsService(http);
            var url = await uws.SubmitAsync(Absolute(parse.GetValue(jobList)!), parameters, files, parse.GetValue(run), token);
            var job = await uws.GetAsync(url, null, null, token);
            if (parse.GetValue(run) && job.Phase == "PENDING")
            {
                // UWS 1.1 lets PHASE=RUN ride on the creating POST, but not every service honours it (DaCHS does not).
                await uws.RunAsync(url, token);
                job = await uws.GetAsync(url, null, null, token);
            }
            if (parse.GetValue(global.Json))
            {
                Output.Json.Write(context, Output.Json.Job(job));
            }
            else
            {
                context.Out.WriteLine($"{url}  {job.Phase}");
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static Command Jobs(GlobalOptions global, CliContext context)
    {
        var jobList = new Argument<string>("JOBLIST") { Description = "The job list URL." };
        var phase = new Option<string[]>("--phase") { Description = "Only jobs in this phase (repeatable: any of them).", Arity = ArgumentArity.ZeroOrMore };
        var after = new Option<string?>("--after") { Description = "Only jobs created after this instant (ISO 8601), or this long ago (10m, 2h)." };
        var last = new Option<int?>("--last") { Description = "Only the N most recently created jobs." };
        var command = new Command("jobs", "List the jobs of a UWS 1.1 service (filters PHASE, AFTER, LAST).") { jobList, phase, after, last };
        command.SetAction((parse, ct) => global.GuardAsync(parse, context, async token =>
        {
            DateTimeOffset? since = parse.GetValue(after) is { } a ? ParseAfter(a, context.Clock.GetUtcNow()) : null;
            if (parse.GetValue(last) is <= 0)
            {
                throw new CliException("--last must be a number above 0.", ExitCodes.Usage);
            }
            using var http = new ServiceHttp(global.Tokens(parse, context));
            var list = Absolute(parse.GetValue(jobList)!);
            var jobs = await new UwsService(http).ListAsync(list, parse.GetValue(phase) ?? [], since, parse.GetValue(last), token);
            if (parse.GetValue(global.Json))
            {
                Output.Json.Write(context, new JsonObject { ["jobList"] = list.AbsoluteUri, ["jobs"] = new JsonArray(jobs.Select(j => (JsonNode?)Output.Json.JobRef(j)).ToArray()) });
                return ExitCodes.Ok;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Job", "Phase", "Run id", "Owner", "Created");
            foreach (var j in jobs)
            {
                table.AddRow(new Text(j.JobId), new Text(j.Phase), new Text(j.RunId ?? ""), new Text(j.OwnerId ?? ""), new Text(j.CreationTime ?? ""));
            }
            context.Out.Write(table);
            context.Out.WriteLine();
            context.Out.WriteLine($"{jobs.Count} job(s)");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static Command Results(GlobalOptions global, CliContext context)
    {
        var job = new Argument<string>("JOB") { Description = "The job's URL." };
        var output = new Option<string?>("--output") { Description = "Download every result into this folder." };
        var command = new Command("results", "List a job's results, and download them with --output.") { job, output };
        command.SetAction((parse, ct) => global.GuardAsync(parse, context, async token =>
        {
            using var http = new ServiceHttp(global.Tokens(parse, context));
            var uws = new UwsService(http);
            var url = Absolute(parse.GetValue(job)!);
            var results = await uws.ResultsAsync(url, token);
            var files = parse.GetValue(output) is { } folder ? await new ResultDownloader(uws).DownloadAllAsync(url, results, folder, token) : [];
            if (parse.GetValue(global.Json))
            {
                Output.Json.Write(context, new JsonObject
                {
                    ["job"] = url.AbsoluteUri,
                    ["results"] = new JsonArray(results.Select(r => (JsonNode?)Output.Json.Result(r)).ToArray()),
                    ["downloaded"] = new JsonArray(files.Select(f => (JsonNode?)new JsonObject { ["id"] = f.Result.Id, ["path"] = f.Path, ["bytes"] = f.Bytes }).ToArray()),
                });
                return ExitCodes.Ok;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Result", "Size", "Saved as");
            foreach (var r in results)
            {
                var saved = files.FirstOrDefault(f => f.Result == r);
                table.AddRow(new Text(r.Id), new Text(saved.Path is null ? r.Size?.ToString(CultureInfo.InvariantCulture) ?? "" : saved.Bytes.ToString(CultureInfo.InvariantCulture)), new Text(saved.Path ?? r.Href.AbsoluteUri));
            }
            context.Out.Write(table);
            context.Out.WriteLine();
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static Command Abort(GlobalOptions global, CliContext context) => PhaseChange(global, context, "abort", "Abort a job (PHASE=ABORT).", async (uws, url, ct) => await uws.AbortAsync(url, ct));

    public static Command Delete(GlobalOptions global, CliContext context) => PhaseChange(global, context, "delete", "Delete a job (DELETE, or POST ACTION=DELETE).", async (uws, url, ct) => await uws.DeleteAsync(url, ct));

    static Command PhaseChange(GlobalOptions global, CliContext context, string name, string description, Func<UwsService, Uri, CancellationToken, Task> act)
    {
        var job = new Argument<string>("JOB") { Description = "The job's URL." };
        var command = new Command(name, description) { job };
        command.SetAction((parse, ct) => global.GuardAsync(parse, context, async token =>
        {
            using var http = new ServiceHttp(global.Tokens(parse, context));
            var uws = new UwsService(http);
            var url = Absolute(parse.GetValue(job)!);
            await act(uws, url, token);
            if (name == "delete")
            {
                Report(context, parse.GetValue(global.Json), new JsonObject { ["url"] = url.AbsoluteUri, ["deleted"] = true }, $"{url}  deleted");
            }
            else
            {
                var now = await uws.GetAsync(url, null, null, token);
                Report(context, parse.GetValue(global.Json), Output.Json.Job(now), $"{url}  {now.Phase}");
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    static void Report(CliContext context, bool json, JsonObject doc, string line)
    {
        if (json)
        {
            Output.Json.Write(context, doc);
        }
        else
        {
            context.Out.WriteLine(line);
        }
    }

    public static Uri Absolute(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url
            : throw new CliException($"'{text}' is not an http(s) URL.", ExitCodes.Usage);

    static KeyValuePair<string, string> Pair(string text, string option)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 ? KeyValuePair.Create(text[..eq], text[(eq + 1)..]) : throw new CliException($"{option} '{text}' is not NAME=VALUE.", ExitCodes.Usage);
    }

    static DateTimeOffset ParseAfter(string text, DateTimeOffset now)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant;
        }
        return now - Quantities.ParseDuration(text);
    }
}
