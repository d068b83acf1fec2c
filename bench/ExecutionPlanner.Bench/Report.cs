using System.Globalization;
using System.Text;

namespace ExecutionPlanner.Bench;

/// <summary>The figures, collected as rows and printed as Markdown tables at the end.</summary>
public sealed class Report(bool quiet = false)
{
    readonly List<(string Section, string Metric, string Value, string Target, string Verdict)> rows = [];
    readonly List<(string Key, string Value)> machine = [];
    readonly List<string> notes = [];

    public void Machine(string key, string value) => machine.Add((key, value));

    public void Add(string section, string metric, string value, string target = "", bool? pass = null)
    {
        rows.Add((section, metric, value, target, pass switch { true => "PASS", false => "FAIL", null => "" }));
        if (quiet)
        {
            return;
        }
        Console.Error.WriteLine($"  {section} | {metric}: {value} {(pass is null ? "" : pass.Value ? "(PASS)" : "(FAIL)")}");
    }

    public void Note(string note)
    {
        notes.Add(note);
        if (quiet)
        {
            return;
        }
        Console.Error.WriteLine($"  note: {note}");
    }

    public static string Ms(double ms) => double.IsNaN(ms) ? "-" : ms.ToString(ms < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms";

    public static string Num(double v, string format = "0") => v.ToString(format, CultureInfo.InvariantCulture);

    public static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine("### Machine").AppendLine();
        sb.AppendLine("| | |").AppendLine("|---|---|");
        foreach (var (k, v) in machine)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {k} | {v} |");
        }
        sb.AppendLine().AppendLine("### Figures").AppendLine();
        sb.AppendLine("| Scenario | Metric | Value | Target | |").AppendLine("|---|---|---|---|---|");
        foreach (var r in rows)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {r.Section} | {r.Metric} | {r.Value} | {r.Target} | {r.Verdict} |");
        }
        if (notes.Count > 0)
        {
            sb.AppendLine();
            foreach (var n in notes)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"- {n}");
            }
        }
        return sb.ToString();
    }
}
