using System.Text;
using System.Text.RegularExpressions;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// Text that the service itself stores for people to read (error summaries, the /error text, job messages),
/// made from what a container printed: terminal escape sequences (colours, cursor moves) are removed, and every
/// character XML 1.0 cannot carry or PostgreSQL text cannot hold (NUL, other C0 controls but tab, newline and
/// carriage return, lone surrogates, U+FFFE, U+FFFF) becomes U+FFFD. So no such text can break a job document.
/// </summary>
public static partial class DisplayText
{
    /// <summary>The cleaned text, cut to <paramref name="maxLength"/> characters (with "…" when cut).</summary>
    public static string Clean(string text, int maxLength = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(text);
        var withoutEscapes = text.Contains('\u001b', StringComparison.Ordinal) ? TerminalEscape().Replace(text, "") : text;
        var sb = new StringBuilder(Math.Min(withoutEscapes.Length, maxLength));
        for (var i = 0; i < withoutEscapes.Length && sb.Length < maxLength; i++)
        {
            var c = withoutEscapes[i];
            if (char.IsHighSurrogate(c) && i + 1 < withoutEscapes.Length && char.IsLowSurrogate(withoutEscapes[i + 1]))
            {
                sb.Append(c).Append(withoutEscapes[++i]);
            }
            else
            {
                sb.Append(IsXmlChar(c) ? c : '\uFFFD');
            }
        }
        if (sb.Length < withoutEscapes.Length && sb.Length >= maxLength && maxLength > 1)
        {
            sb.Length = maxLength - 1;
            sb.Append('…');
        }
        return sb.ToString();
    }

    /// <summary>Whether XML 1.0 may carry the (non-surrogate) character.</summary>
    public static bool IsXmlChar(char c) =>
        c is '\t' or '\n' or '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);

    // CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \), and the two-byte escapes (ESC + one of @-Z \ ] ^ _ and others).
    [GeneratedRegex(@"\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_]|[ -/]*[0-~])?")]
    private static partial Regex TerminalEscape();
}
