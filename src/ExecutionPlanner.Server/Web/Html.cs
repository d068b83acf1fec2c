using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace ExecutionPlanner.Server.Web;

/// <summary>
/// Markup that is already safe: written as is. Only literals of this code and other <see cref="Html"/>
/// values are markup; everything else (every value from a job, a request or the database) is text.
/// </summary>
public readonly record struct Html(string Markup)
{
    public static readonly Html Empty = new(string.Empty);

    public override string ToString() => Markup;

    /// <summary>
    /// Builds markup from an interpolated string: the literal parts are markup, every hole is HTML-encoded
    /// unless it is itself <see cref="Html"/>. So <c>Html.Of($"&lt;td&gt;{job.RunId}&lt;/td&gt;")</c> cannot
    /// inject markup, whatever the run id holds.
    /// </summary>
    public static Html Of(ref Builder markup) => new(markup.ToStringAndClear());

    public static Html Join(IEnumerable<Html> parts) => new(string.Concat(parts.Select(p => p.Markup)));

    public static Html Join<T>(IEnumerable<T> items, Func<T, Html> each) => Join(items.Select(each));

    public static Html When(bool condition, Html markup) => condition ? markup : Empty;

    /// <summary>Non-ASCII letters stay readable; markup characters, quotes and controls are encoded.</summary>
    static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>Encodes text for an element's content or a quoted attribute value.</summary>
    public static string Encode(string? text) => Encoder.Encode(text ?? string.Empty);

    [InterpolatedStringHandler]
    public ref struct Builder
    {
        readonly StringBuilder text;

        public Builder(int literalLength, int formattedCount)
        {
            text = new StringBuilder(literalLength + formattedCount * 16);
        }

        public readonly void AppendLiteral(string literal) => text.Append(literal);

        public readonly void AppendFormatted(Html markup) => text.Append(markup.Markup);

        public readonly void AppendFormatted(string? value) => text.Append(Encode(value));

        public readonly void AppendFormatted<T>(T value) => text.Append(Encode(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)));

        public readonly string ToStringAndClear() => text.ToString();
    }
}
