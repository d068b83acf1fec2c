using System.Globalization;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Tests.Unit;

/// <summary>Every ISO 8601 form AFTER and DESTRUCTION accept, and what they refuse.</summary>
[Parallelizable(ParallelScope.Children)]
public sealed class IsoInstantTests
{
    static DateTimeOffset Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0, long ticks = 0) =>
        new DateTimeOffset(y, mo, d, h, mi, s, TimeSpan.Zero).AddTicks(ticks);

    static void AssertReads(string text, DateTimeOffset expected)
    {
        Assert.That(IsoInstant.TryParse(text, out var parsed), Is.True, text);
        Assert.That(parsed, Is.EqualTo(expected), text);
        Assert.That(parsed.Offset, Is.EqualTo(TimeSpan.Zero), text);
    }

    [TestCase("2015", 2015, 1, 1)]
    [TestCase("2015-10", 2015, 10, 1)]
    [TestCase("2015-10-26", 2015, 10, 26)]
    [TestCase("20151026", 2015, 10, 26)]
    [TestCase("2015-299", 2015, 10, 26)]
    [TestCase("2015299", 2015, 10, 26)]
    [TestCase("2015-W44", 2015, 10, 26)]
    [TestCase("2015W44", 2015, 10, 26)]
    [TestCase("2015-W44-1", 2015, 10, 26)]
    [TestCase("2015W441", 2015, 10, 26)]
    [TestCase("2015-W44-7", 2015, 11, 1)]
    [TestCase("2015-w44-3", 2015, 10, 28)]
    [TestCase("2016-366", 2016, 12, 31)]
    [TestCase("2009-W53-7", 2010, 1, 3)]
    [TestCase("2008-W01-1", 2007, 12, 31)]
    [TestCase("0001-01-01", 1, 1, 1)]
    [TestCase("9999-12-31", 9999, 12, 31)]
    [TestCase("2024-02-29", 2024, 2, 29)]
    public void A_date_in_any_precision_is_the_start_of_that_period(string text, int y, int mo, int d) =>
        AssertReads(text, Utc(y, mo, d));

    [TestCase("2015-10-26T09")]
    [TestCase("2015-10-26T09:00")]
    [TestCase("2015-10-26T09:00:00")]
    [TestCase("2015-10-26T0900")]
    [TestCase("2015-10-26T090000")]
    [TestCase("20151026T09")]
    [TestCase("20151026T0900")]
    [TestCase("20151026T090000")]
    [TestCase("20151026T09:00:00")]
    [TestCase("2015-10-26 09:00")]
    [TestCase("2015-10-26 09")]
    [TestCase("2015-10-26t09:00:00z")]
    [TestCase("2015-299T09:00")]
    [TestCase("2015299T090000Z")]
    [TestCase("2015-W44-1T09:00:00Z")]
    [TestCase("2015W441T09")]
    [TestCase("  2015-10-26T09:00:00Z  ")]
    [TestCase("2015-10-26T09:00:00.000Z")]
    [TestCase("2015-10-26T09:00:00,0")]
    [TestCase("2015-10-26T08:30-00:30")]
    [TestCase("2015-10-26T10:00+01")]
    [TestCase("2015-10-26T10:00+0100")]
    [TestCase("2015-10-26T10:00+01:00")]
    [TestCase("2015-10-26T10:00:00.000+01:00")]
    [TestCase("2015-10-26T04:00-05")]
    [TestCase("2015-10-26T04:00\u221205:00")]
    [TestCase("2015-10-26T10:00 01:00")]
    [TestCase("2015-10-26 10:00 01")]
    [TestCase("20151026T100000+0100")]
    [TestCase("2015-10-26T14:30+05:30")]
    [TestCase("2015-10-26T09:00:00-00:00")]
    [TestCase("2015-10-26T10:00:00.0+01")]
    public void Every_form_of_a_date_time_names_the_same_instant(string text) => AssertReads(text, Utc(2015, 10, 26, 9));

    [TestCase("2015-10-26T09,5", 9, 30, 0, 0)]
    [TestCase("2015-10-26T09.25", 9, 15, 0, 0)]
    [TestCase("2015-10-26T0915,5", 9, 15, 30, 0)]
    [TestCase("2015-10-26T09:15.5", 9, 15, 30, 0)]
    [TestCase("2015-10-26T09:15:35,5", 9, 15, 35, 5_000_000)]
    [TestCase("2015-10-26T091535.5Z", 9, 15, 35, 5_000_000)]
    [TestCase("2015-10-26T09:15:35.1234567", 9, 15, 35, 1_234_567)]
    [TestCase("2015-10-26T09:15:35.123456789123456789123Z", 9, 15, 35, 1_234_567)]
    [TestCase("2015-10-26T09:15:35.9999999999", 9, 15, 35, 9_999_999)]
    [TestCase("2015-10-26T09,999999999999999999999", 9, 59, 59, 9_999_999)]
    [TestCase("2015-10-26T09:00:00.5+01:00", 8, 0, 0, 5_000_000)]
    public void The_last_component_may_carry_a_fraction_with_a_dot_or_a_comma(string text, int h, int mi, int s, long ticks) =>
        AssertReads(text, Utc(2015, 10, 26, h, mi, s, ticks));

    [TestCase("2015-10-25T24")]
    [TestCase("2015-10-25T2400")]
    [TestCase("2015-10-25T24:00")]
    [TestCase("2015-10-25T24:00:00Z")]
    [TestCase("2015-10-25T24:00:00.000")]
    public void Hour_24_is_the_end_of_the_day(string text) => AssertReads(text, Utc(2015, 10, 26));

    [Test]
    public void A_leap_second_is_the_start_of_the_next_minute()
    {
        AssertReads("2016-12-31T23:59:60Z", Utc(2017, 1, 1));
        AssertReads("2016-12-31T23:59:60.5Z", Utc(2017, 1, 1, ticks: 5_000_000));
    }

    [Test]
    public void Offsets_move_the_instant_across_days_years_and_the_end_of_the_range()
    {
        AssertReads("2016-01-01T00:30+01:00", Utc(2015, 12, 31, 23, 30));
        AssertReads("2015-12-31T23:30-01:00", Utc(2016, 1, 1, 0, 30));
        AssertReads("9999-12-31T22:00-01:00", Utc(9999, 12, 31, 23));
        AssertReads("0001-01-01T01:00+01:00", Utc(1, 1, 1));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    [TestCase("next tuesday")]
    [TestCase("now")]
    [TestCase("201")]
    [TestCase("15-10-26")]
    [TestCase("201510")]
    [TestCase("20151")]
    [TestCase("2015-1-26")]
    [TestCase("2015-10-2")]
    [TestCase("2015-1026")]
    [TestCase("2015-10-26-")]
    [TestCase("2015-")]
    [TestCase("2015-10-")]
    [TestCase("0000-01-01")]
    [TestCase("+002015-10-26")]
    [TestCase("-2015-10-26")]
    [TestCase("2015-00-10")]
    [TestCase("2015-13-01")]
    [TestCase("2015-02-29")]
    [TestCase("2015-04-31")]
    [TestCase("2015-000")]
    [TestCase("2015-366")]
    [TestCase("2015-W00")]
    [TestCase("2015-W54")]
    [TestCase("2014-W53")]
    [TestCase("2015-W44-0")]
    [TestCase("2015-W44-8")]
    [TestCase("2015-W441")]
    [TestCase("2015W44-1")]
    [TestCase("2015-W4")]
    [TestCase("2015-10T09:00")]
    [TestCase("2015T09")]
    [TestCase("2015-W44T09")]
    [TestCase("2015-10-26T")]
    [TestCase("2015-10-26T9")]
    [TestCase("2015-10-26T9:00")]
    [TestCase("2015-10-26T09:0")]
    [TestCase("2015-10-26T09:00:0")]
    [TestCase("2015-10-26T090")]
    [TestCase("2015-10-26T09000")]
    [TestCase("2015-10-26T0900000")]
    [TestCase("2015-10-26T09:00:00:00")]
    [TestCase("2015-10-26T25:00")]
    [TestCase("2015-10-26T09:60")]
    [TestCase("2015-10-26T09:00:61")]
    [TestCase("2015-10-26T24:00:01")]
    [TestCase("2015-10-26T24:30")]
    [TestCase("2015-10-26T24,5")]
    [TestCase("2015-10-26T09:00.")]
    [TestCase("2015-10-26T09:00.Z")]
    [TestCase("2015-10-26T09:00:00.5.5")]
    [TestCase("2015-10-26T09.5:30")]
    [TestCase("2015-10-26T09:00ZZ")]
    [TestCase("2015-10-26T09:00Z+01")]
    [TestCase("2015-10-26T09:00+1")]
    [TestCase("2015-10-26T09:00+001")]
    [TestCase("2015-10-26T09:00+01:0")]
    [TestCase("2015-10-26T09:00+24:00")]
    [TestCase("2015-10-26T09:00+01:60")]
    [TestCase("2015-10-26T09:00+01:00:00")]
    [TestCase("2015-10-26T09:00 +01:00")]
    [TestCase("2015-10-26T09:00 UTC")]
    [TestCase("2015-10-26T09:00GMT")]
    [TestCase("2015-10-26  09:00")]
    [TestCase("2015-10-26_09:00")]
    [TestCase("2015-10-26Z")]
    [TestCase("2015-10-26+01:00")]
    [TestCase("9999-12-31T24:00")]
    [TestCase("9999-12-31T23:00-01:00")]
    [TestCase("0001-01-01T00:00+01:00")]
    [TestCase("1769862896")]
    [TestCase("٢٠١٥-١٠-٢٦")]
    [TestCase("２０１５-10-26")]
    [TestCase("2015-10-26T09:00\u0000")]
    [TestCase("\u00002015-10-26")]
    [TestCase("2015-10-26T09:00:00.\uD800")]
    public void Anything_else_is_not_an_instant(string? text)
    {
        Assert.That(IsoInstant.TryParse(text, out var parsed), Is.False, text);
        Assert.That(parsed, Is.EqualTo(default(DateTimeOffset)));
    }

    /// <summary>
    /// Generated: for random instants and offsets, each of the forms a client library writes (extended and
    /// basic, T or space, each offset style, dot or comma fraction) reads back to the instant it was made from.
    /// </summary>
    [Test]
    public void Random_instants_read_back_from_every_written_form()
    {
        var random = new Random(8);
        string[] dateFormats = ["yyyy-MM-dd", "yyyyMMdd"];
        string[] timeFormats = ["HH:mm:ss", "HHmmss"];
        string[] separators = ["T", " ", "t"];
        for (var i = 0; i < 2000; i++)
        {
            var utc = new DateTimeOffset(random.NextInt64(new DateTime(1, 1, 2).Ticks, new DateTime(9999, 12, 30).Ticks), TimeSpan.Zero);
            var offset = TimeSpan.FromMinutes(random.Next(-14 * 4, 14 * 4 + 1) * 15);
            var local = utc.ToOffset(offset);
            var fraction = (local.Ticks % TimeSpan.TicksPerSecond).ToString("0000000", CultureInfo.InvariantCulture);
            var date = local.ToString(dateFormats[i % 2], CultureInfo.InvariantCulture);
            var time = local.ToString(timeFormats[(i / 2) % 2], CultureInfo.InvariantCulture);
            var sign = offset < TimeSpan.Zero ? "-" : "+";
            var abs = offset.Duration();
            string[] zones = offset == TimeSpan.Zero
                ? ["", "Z", "+00:00", "-0000", "+00"]
                : [$"{sign}{abs.Hours:00}:{abs.Minutes:00}", $"{sign}{abs.Hours:00}{abs.Minutes:00}"];
            var text = $"{date}{separators[i % 3]}{time}{(i % 4 == 0 ? "," : ".")}{fraction}{zones[i % zones.Length]}";
            AssertReads(text, utc);
        }
    }

    /// <summary>Generated: random strings of the characters dates are made of never throw, and whatever reads is in range.</summary>
    [Test]
    public void Random_strings_of_date_characters_never_throw()
    {
        var random = new Random(4);
        const string Alphabet = "0123456789-:T .,Z+WwtzZ\u2212";
        for (var i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(0, 30)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = Alphabet[random.Next(Alphabet.Length)];
            }
            var text = new string(chars);
            if (IsoInstant.TryParse(text, out var parsed))
            {
                Assert.That(parsed.Offset, Is.EqualTo(TimeSpan.Zero), text);
            }
        }
    }
}
