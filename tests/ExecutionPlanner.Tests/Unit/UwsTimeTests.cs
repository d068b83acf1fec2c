using System.Text.RegularExpressions;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Tests.Unit;

[Parallelizable(ParallelScope.Children)]
public sealed class UwsTimeTests
{
    static readonly DateTimeOffset Instant = new(2026, 1, 31, 12, 34, 56, 789, TimeSpan.Zero);

    [Test]
    public void Format_writes_UTC_with_milliseconds_and_Z()
    {
        var local = new DateTimeOffset(2026, 1, 31, 14, 34, 56, 789, TimeSpan.FromHours(2)).AddTicks(1234);
        Assert.That(UwsTime.Format(local), Is.EqualTo("2026-01-31T12:34:56.789Z"));
        Assert.That(UwsTime.Format(Instant.AddMilliseconds(-789)), Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$"));
    }

    [Test]
    public void Truncate_drops_everything_below_the_millisecond_and_returns_UTC()
    {
        var t = UwsTime.Truncate(Instant.AddTicks(9999).ToOffset(TimeSpan.FromHours(-5)));
        Assert.That(t, Is.EqualTo(Instant));
        Assert.That(t.Offset, Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void What_Format_writes_parses_back_to_the_same_instant()
    {
        Assert.That(UwsTime.TryParse(UwsTime.Format(Instant), out var parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(Instant));
    }

    [TestCase("2026-01-31T12:34:56", 0)]
    [TestCase("2026-01-31T12:34:56Z", 0)]
    [TestCase("2026-01-31T12:34:56.7", 7_000_000)]
    [TestCase("2026-01-31T12:34:56.78Z", 7_800_000)]
    [TestCase("2026-01-31T12:34:56.789", 7_890_000)]
    [TestCase("2026-01-31T12:34:56.7891", 7_891_000)]
    [TestCase("2026-01-31T12:34:56.78912Z", 7_891_200)]
    [TestCase("2026-01-31T12:34:56.789123", 7_891_230)]
    [TestCase("2026-01-31T12:34:56.789123Z", 7_891_230)]
    [TestCase("2026-01-31T12:34:56.7891234Z", 7_891_234)]
    public void Parse_accepts_0_to_7_fractional_digits_with_or_without_Z_as_UTC(string text, long fractionTicks)
    {
        Assert.That(UwsTime.TryParse(text, out var parsed), Is.True, text);
        Assert.That(parsed, Is.EqualTo(new DateTimeOffset(2026, 1, 31, 12, 34, 56, TimeSpan.Zero).AddTicks(fractionTicks)));
        Assert.That(parsed.Offset, Is.EqualTo(TimeSpan.Zero));
    }

    [TestCase("2026-01-31T14:34:56+02:00")]
    [TestCase("2026-01-31T07:34:56.000-05:00")]
    [TestCase("2026-01-31T14:34:56.000000+02:00")]
    public void Parse_converts_offsets_to_UTC(string text)
    {
        Assert.That(UwsTime.TryParse(text, out var parsed), Is.True, text);
        Assert.That(parsed, Is.EqualTo(new DateTimeOffset(2026, 1, 31, 12, 34, 56, TimeSpan.Zero)));
        Assert.That(parsed.Offset, Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void Parse_accepts_the_pyvo_format()
    {
        var text = Instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(UwsTime.TryParse(text, out var parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(Instant));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    [TestCase("next tuesday")]
    [TestCase("2026-13-01T00:00:00Z")]
    [TestCase("2026-01-32T00:00:00")]
    [TestCase("2026-01-31T25:00:00Z")]
    [TestCase("1769862896")]
    [TestCase("2026-01-31T12:34:56ZZ")]
    public void Parse_rejects_garbage(string? text)
    {
        Assert.That(UwsTime.TryParse(text, out var parsed), Is.False);
        Assert.That(parsed, Is.EqualTo(default(DateTimeOffset)));
    }

    [Test]
    public void Formatted_instants_sort_like_the_instants_they_name()
    {
        var texts = Enumerable.Range(0, 5).Select(i => UwsTime.Format(Instant.AddMilliseconds(i * 37))).ToList();
        Assert.That(texts, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        Assert.That(texts.All(t => Regex.IsMatch(t, @"\.\d{3}Z$")), Is.True);
    }
}
