using System.Globalization;
using System.Text;

namespace ExecutionPlanner.Server.Http;

/// <summary>
/// The characters an XML 1.0 document can carry (XML 1.0 §2.2: TAB, LF, CR, U+0020-U+D7FF,
/// U+E000-U+FFFD and well-formed surrogate pairs; not even a character reference can stand for the
/// rest). Every value a client stores is shown in a UWS document, so values holding any other
/// character are refused at input (<see cref="Check"/>, 400). What reaches a document anyway (rows
/// stored before that rule, text a container wrote) is shown with U+FFFD in place of each such
/// character (<see cref="Replace"/>), and served exactly by the plain-text resources.
/// The same characters are the ones PostgreSQL cannot store in text or jsonb (NUL, lone surrogates).
/// </summary>
public static class XmlCharacters
{
    public const char Replacement = '\uFFFD';

    /// <summary>The index of the first character XML 1.0 cannot carry, or -1.</summary>
    public static int IndexOfIllegal(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < '\u0020')
            {
                if (c is not ('\t' or '\n' or '\r'))
                {
                    return i;
                }
            }
            else if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return i;
                }
                i++;
            }
            else if (char.IsLowSurrogate(c) || c is '\uFFFE' or '\uFFFF')
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The text with U+FFFD for each character XML 1.0 cannot carry (the same string when there is none).</summary>
    public static string Replace(string text)
    {
        var first = IndexOfIllegal(text);
        if (first < 0)
        {
            return text;
        }
        var sb = new StringBuilder(text.Length).Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[++i]);
            }
            else
            {
                sb.Append(IndexOfIllegal(c.ToString()) < 0 ? c : Replacement);
            }
        }
        return sb.ToString();
    }

    /// <summary>400 when <paramref name="value"/> holds a character no UWS document could show; <paramref name="what"/> names the value.</summary>
    public static void Check(string what, string value)
    {
        var i = IndexOfIllegal(value);
        if (i >= 0)
        {
            throw UwsRequestException.BadRequest(
                $"{what} holds the character U+{(int)value[i]:X4} at position {(i + 1).ToString(CultureInfo.InvariantCulture)}, " +
                "which an XML 1.0 document cannot carry (control characters other than tab, line feed and carriage return, " +
                "U+FFFE, U+FFFF and unpaired surrogates are refused); pass such data in an uploaded file.");
        }
    }
}
