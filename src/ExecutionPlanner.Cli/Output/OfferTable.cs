using ExecutionPlanner.Cli.Planning;
using ExecutionPlanner.Cli.Tasks;
using Spectre.Console;

namespace ExecutionPlanner.Cli.Output;

/// <summary>
/// The one table of `ep plan`: every offer in rank order, then every NO with its reasons, then every service
/// that could not be asked, with why. Times are relative to now (and UTC), memory in GiB.
/// </summary>
internal static class OfferTable
{
    public static Table Build(IReadOnlyList<PlannerAnswer> answers, IReadOnlyList<OfferCandidate> ranked, DateTimeOffset now)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("#", "Service", "Answer", "Start", "Duration", "Cores", "Memory", "Expires", "Notes");
        var rank = 0;
        foreach (var o in ranked)
        {
            rank++;
            table.AddRow(
                new Text(rank.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Text(o.Service.Name),
                new Markup("[green]YES[/]"),
                new Text(When(o.Start, now)),
                new Text(o.Duration is { } d ? Quantities.Short(d) : "-"),
                new Text(o.Cores is { } c ? Quantities.Format(c) : "-"),
                new Text(o.MemoryGiB is { } m ? $"{Quantities.Format(m)} GiB" : "-"),
                new Text(o.Expires is { } e ? When(e, now) : "-"),
                new Text(o.Href is null ? $"{o.Dialect}: submit to {o.Endpoint}" : o.Dialect));
        }
        foreach (var a in answers.Where(a => a.Kind != AnswerKind.Yes))
        {
            var word = a.Kind == AnswerKind.No ? "[red]NO[/]" : "[yellow]FAILED[/]";
            table.AddRow(new Text(""), new Text(a.Service.Name), new Markup(word), new Text(""), new Text(""), new Text(""), new Text(""), new Text(""),
                new Text(string.Join("\n", a.Reasons)));
        }
        return table;
    }

    /// <summary>"now", "in 5m (10:03:00Z)" or "1m ago".</summary>
    public static string When(DateTimeOffset? t, DateTimeOffset now)
    {
        if (t is not { } at)
        {
            return "-";
        }
        var delta = at - now;
        var clock = at.UtcDateTime.ToString("HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return delta.Duration() < TimeSpan.FromSeconds(5) ? $"now ({clock})" : delta > TimeSpan.Zero ? $"in {Quantities.Short(delta)} ({clock})" : $"{Quantities.Short(-delta)} ago ({clock})";
    }
}
