using System.Text;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// The names results are served under (README, "What a run produces"), made from the paths a container left in
/// /uws/results. A served name is the path relative to /uws/results with '/' between folders, where every
/// character a URL path segment, an XML document or a person's terminal cannot carry plainly (control
/// characters, '\', '%', U+FFFE/U+FFFF) is percent-encoded as its UTF-8 bytes, and a ".." folder becomes "%2E%2E".
/// Names are unique: "stdout" and "stderr" belong to the logs (a container file of that name at the top is
/// served as "results/stdout"), and a name already taken gets "~2", "~3"… (which of two files gets the plain
/// name follows the order of the engine's archive). Every name that differs from the path,
/// and every path skipped (longer than <see cref="MaxLength"/>), comes with a note for the job's messages.
/// </summary>
public sealed class ResultNames
{
    /// <summary>Longest served name, in characters (it is a primary-key column and part of a URL).</summary>
    public const int MaxLength = 1024;

    readonly HashSet<string> taken = new(StringComparer.Ordinal) { "stdout", "stderr" };

    /// <summary>The name to serve the file at <paramref name="path"/> under, or null when it is skipped; a note when either is news to the owner.</summary>
    public string? Add(string path, out string? note)
    {
        ArgumentNullException.ThrowIfNull(path);
        note = null;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").Select(Encode).ToList();
        if (segments.Count == 0)
        {
            return null;
        }
        var encoded = string.Join('/', segments);
        if (encoded.Length > MaxLength)
        {
            note = $"The result file '{Shown(path)}' was skipped: its path is longer than {MaxLength} characters.";
            return null;
        }
        var preferred = encoded is "stdout" or "stderr" ? "results/" + encoded : encoded;
        var name = preferred;
        for (var n = 2; !taken.Add(name); n++)
        {
            name = $"{preferred}~{n}";
        }
        var plain = string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != "."));
        if (name != plain && !(plain is "stdout" or "stderr" && name == "results/" + plain))
        {
            note = encoded == plain
                ? $"The result file '{Shown(path)}' is served as '{name}': that name was taken."
                : $"The result file '{Shown(path)}' is served as '{name}': characters a URL or XML cannot carry are percent-encoded.";
        }
        return name;
    }

    /// <summary>One folder or file name, percent-encoded where needed (see the class comment).</summary>
    public static string Encode(string segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (segment == "..")
        {
            return "%2E%2E";
        }
        var sb = new StringBuilder(segment.Length);
        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            if (char.IsHighSurrogate(c) && i + 1 < segment.Length && char.IsLowSurrogate(segment[i + 1]))
            {
                sb.Append(c).Append(segment[++i]);
            }
            else if (NeedsEncoding(c))
            {
                foreach (var b in Encoding.UTF8.GetBytes(char.IsSurrogate(c) ? "\uFFFD" : c.ToString()))
                {
                    sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    static bool NeedsEncoding(char c) =>
        c < 0x20 || c is '\u007f' or '%' or '\\' or '\uFFFE' or '\uFFFF' || (c >= 0x80 && c <= 0x9F) || char.IsSurrogate(c);

    /// <summary>A path as a message may quote it.</summary>
    static string Shown(string path) => DisplayText.Clean(path.StartsWith("./", StringComparison.Ordinal) ? path[2..] : path, 200);
}
