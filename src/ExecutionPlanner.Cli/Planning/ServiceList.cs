namespace ExecutionPlanner.Cli.Planning;

/// <summary>
/// A services file: one planner per line, <c>URL [form]</c>, where form is <c>eb</c> (the ExecutionBroker
/// request, the default) or <c>note</c> (the 2021 Note's tasktype/taskinfo request). Blank lines and lines
/// starting with # are skipped.
/// </summary>
internal static class ServiceList
{
    public static List<PlannerService> Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read the services file {path}: {ex.Message}", ExitCodes.Usage);
        }
        var services = new List<PlannerService>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var form = parts.Length > 1 ? ParseForm(parts[1], $"{path}:{i + 1}") : RequestForm.ExecutionBroker;
            services.Add(PlannerService.Parse(parts[0], form));
        }
        return services;
    }

    public static RequestForm ParseForm(string text, string where) => text.ToLowerInvariant() switch
    {
        "eb" or "executionbroker" or "calycopis" or "ours" => RequestForm.ExecutionBroker,
        "note" or "note2021" or "2021" => RequestForm.Note2021,
        _ => throw new CliException($"{where}: unknown request form '{text}' (use eb or note).", ExitCodes.Usage),
    };
}
