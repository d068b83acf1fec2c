using System.Globalization;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Web;

/// <summary>How values read on a page: times as UWS writes them, inside &lt;time&gt;; sizes in bytes and their binary unit.</summary>
public static class BrowserText
{
    public static Html Time(DateTimeOffset? t) =>
        t is { } v ? Html.Of($"""<time datetime="{UwsTime.Format(v)}">{UwsTime.Format(v)}</time>""") : Html.Of($"<span class=\"none\">—</span>");

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.##} GiB"),
    };

    public static Html Phase(ExecutionPhase phase) =>
        Html.Of($"""<span class="phase phase-{phase.ToString().ToLowerInvariant()}" data-phase="{phase}">{phase}</span>""");

    /// <summary>The lines of a textarea, without the line ends; blank lines are skipped.</summary>
    public static IEnumerable<string> Lines(string? text) =>
        (text ?? string.Empty).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0);
}
