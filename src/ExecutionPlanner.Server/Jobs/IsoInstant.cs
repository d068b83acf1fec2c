using System.Globalization;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// Reads an instant written in any ISO 8601-1 form a client may send (AFTER, DESTRUCTION):
/// <list type="bullet">
/// <item>dates: calendar (2015-10-26, 20151026), ordinal (2015-299, 2015299) and week dates
/// (2015-W44-1, 2015W441); reduced precision (2015, 2015-10, 2015-W44) means the start of that period;</item>
/// <item>a time after T (or a space, or lower-case t) in basic or extended form, to the hour, minute or
/// second (09, 0915, 09:15, 091535, 09:15:35); the last component may carry a decimal fraction with a
/// dot or a comma (09,5 is 09:30); 24:00 is the end of the day and a leap second :60 the start of the next minute;</item>
/// <item>Z or a numeric offset (+01, +0100, +01:00, -05:30, with U+2212 as minus too); without one, UTC
/// (UWS §2.2.1). A space where the offset's sign would be is read as '+': an unencoded '+' in a query
/// string arrives as a space.</item>
/// </list>
/// Basic and extended forms may be mixed between the date, the time and the offset. Years are four
/// digits (no expanded years). Fractions finer than a tick (100 ns) are cut. Anything else is not an instant.
/// </summary>
/// <remarks>
/// Hand-written because no library restorable here reads all of these: DateTimeOffset.TryParseExact and
/// NodaTime's patterns take one fixed layout per pattern (the forms above multiply to well over a hundred)
/// and neither reads a fraction of an hour or minute.
/// </remarks>
public static class IsoInstant
{
    public static bool TryParse(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (text is null)
        {
            return false;
        }
        var r = new Cursor(text.AsSpan().Trim());
        if (!TryDate(ref r, out var date, out var complete))
        {
            return false;
        }
        var ticks = date.Ticks;
        var offset = 0L;
        if (!r.AtEnd)
        {
            // A time needs a complete date (ISO 8601-1 §5.4.2): 2015-10T09 is not a date-time.
            if (!complete || !(r.Take('T') || r.Take('t') || r.Take(' ')) || !TryTime(ref r, out var time))
            {
                return false;
            }
            ticks += time;
            if (!r.AtEnd && !TryOffset(ref r, out offset))
            {
                return false;
            }
            if (!r.AtEnd)
            {
                return false;
            }
        }
        var utc = ticks - offset;
        if (utc < DateTime.MinValue.Ticks || utc > DateTime.MaxValue.Ticks)
        {
            return false;
        }
        instant = new DateTimeOffset(utc, TimeSpan.Zero);
        return true;
    }

    /// <summary>The date part, at midnight; <paramref name="complete"/> when it names a day (a time may follow).</summary>
    static bool TryDate(ref Cursor r, out DateTime date, out bool complete)
    {
        date = default;
        complete = false;
        var run = r.DigitRun();
        if (run == 8)
        {
            complete = true;
            return Calendar(r.Number(4), r.Number(2), r.Number(2), out date);
        }
        if (run == 7)
        {
            complete = true;
            return Ordinal(r.Number(4), r.Number(3), out date);
        }
        if (run != 4)
        {
            return false;
        }
        var year = r.Number(4);
        if (year < 1)
        {
            return false;
        }
        if (r.AtEnd)
        {
            date = new DateTime(year, 1, 1);
            return true;
        }
        if (r.Take('W') || r.Take('w'))
        {
            return Week(ref r, year, extended: false, out date, out complete);
        }
        if (!r.Take('-'))
        {
            return false;
        }
        if (r.Take('W') || r.Take('w'))
        {
            return Week(ref r, year, extended: true, out date, out complete);
        }
        switch (r.DigitRun())
        {
            case 3:
                complete = true;
                return Ordinal(year, r.Number(3), out date);
            case 2:
                var month = r.Number(2);
                if (!r.Take('-'))
                {
                    return Calendar(year, month, 1, out date);
                }
                complete = true;
                return r.DigitRun() == 2 && Calendar(year, month, r.Number(2), out date);
            default:
                return false;
        }
    }

    /// <summary>Www or Www-D (extended) / WwwD (basic); a week alone means its Monday.</summary>
    static bool Week(ref Cursor r, int year, bool extended, out DateTime date, out bool complete)
    {
        date = default;
        complete = false;
        var run = r.DigitRun();
        if (run is not (2 or 3) || (extended && run == 3))
        {
            return false;
        }
        var week = r.Number(2);
        var day = 1;
        if (run == 3)
        {
            day = r.Number(1);
            complete = true;
        }
        else if (extended && r.Take('-'))
        {
            if (r.DigitRun() != 1)
            {
                return false;
            }
            day = r.Number(1);
            complete = true;
        }
        if (week < 1 || week > ISOWeek.GetWeeksInYear(year) || day is < 1 or > 7)
        {
            return false;
        }
        var ticks = ISOWeek.ToDateTime(year, week, DayOfWeek.Monday).Ticks + (day - 1) * TimeSpan.TicksPerDay;
        if (ticks > DateTime.MaxValue.Ticks)
        {
            return false;
        }
        date = new DateTime(ticks);
        return true;
    }

    static bool Calendar(int year, int month, int day, out DateTime date)
    {
        date = default;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }
        date = new DateTime(year, month, day);
        return true;
    }

    static bool Ordinal(int year, int dayOfYear, out DateTime date)
    {
        date = default;
        if (year < 1 || dayOfYear < 1 || dayOfYear > (DateTime.IsLeapYear(year) ? 366 : 365))
        {
            return false;
        }
        date = new DateTime(year, 1, 1).AddDays(dayOfYear - 1);
        return true;
    }

    /// <summary>hh, hhmm, hhmmss or hh:mm, hh:mm:ss, the last with an optional fraction; as ticks since midnight.</summary>
    static bool TryTime(ref Cursor r, out long ticks)
    {
        ticks = 0;
        int hour, minute = 0, second = 0;
        long unit;
        switch (r.DigitRun())
        {
            case 2:
                hour = r.Number(2);
                unit = TimeSpan.TicksPerHour;
                if (r.Take(':'))
                {
                    if (r.DigitRun() != 2)
                    {
                        return false;
                    }
                    minute = r.Number(2);
                    unit = TimeSpan.TicksPerMinute;
                    if (r.Take(':'))
                    {
                        if (r.DigitRun() != 2)
                        {
                            return false;
                        }
                        second = r.Number(2);
                        unit = TimeSpan.TicksPerSecond;
                    }
                }
                break;
            case 4:
                hour = r.Number(2);
                minute = r.Number(2);
                unit = TimeSpan.TicksPerMinute;
                break;
            case 6:
                hour = r.Number(2);
                minute = r.Number(2);
                second = r.Number(2);
                unit = TimeSpan.TicksPerSecond;
                break;
            default:
                return false;
        }
        var fraction = 0L;
        if (r.Peek is '.' or ',')
        {
            r.Skip();
            if (!r.TryFraction(unit, out fraction))
            {
                return false;
            }
        }
        if (hour > 24 || minute > 59 || second > 60 || (hour == 24 && (minute != 0 || second != 0 || fraction != 0)))
        {
            return false;
        }
        ticks = hour * TimeSpan.TicksPerHour + minute * TimeSpan.TicksPerMinute + second * TimeSpan.TicksPerSecond + fraction;
        return true;
    }

    /// <summary>Z, or ±hh, ±hhmm, ±hh:mm; as ticks to subtract from the local time to get UTC.</summary>
    static bool TryOffset(ref Cursor r, out long ticks)
    {
        ticks = 0;
        if (r.Take('Z') || r.Take('z'))
        {
            return true;
        }
        long sign;
        if (r.Take('+') || r.Take(' '))
        {
            sign = 1;
        }
        else if (r.Take('-') || r.Take('\u2212'))
        {
            sign = -1;
        }
        else
        {
            return false;
        }
        int hours, minutes = 0;
        switch (r.DigitRun())
        {
            case 2:
                hours = r.Number(2);
                if (r.Take(':'))
                {
                    if (r.DigitRun() != 2)
                    {
                        return false;
                    }
                    minutes = r.Number(2);
                }
                break;
            case 4:
                hours = r.Number(2);
                minutes = r.Number(2);
                break;
            default:
                return false;
        }
        if (hours > 23 || minutes > 59)
        {
            return false;
        }
        ticks = sign * (hours * TimeSpan.TicksPerHour + minutes * TimeSpan.TicksPerMinute);
        return true;
    }

    /// <summary>A read position in the text. Digits are ASCII 0-9 only (char.IsDigit would take other scripts' digits).</summary>
    ref struct Cursor(ReadOnlySpan<char> text)
    {
        readonly ReadOnlySpan<char> text = text;
        int position;

        public readonly bool AtEnd => position == text.Length;

        public readonly char Peek => AtEnd ? '\0' : text[position];

        public void Skip() => position++;

        public bool Take(char c)
        {
            if (AtEnd || text[position] != c)
            {
                return false;
            }
            position++;
            return true;
        }

        /// <summary>How many ASCII digits follow, without consuming them.</summary>
        public readonly int DigitRun()
        {
            var i = position;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
            return i - position;
        }

        /// <summary>Consumes exactly <paramref name="count"/> digits (the caller checked they are there).</summary>
        public int Number(int count)
        {
            var n = 0;
            for (var i = 0; i < count; i++)
            {
                n = n * 10 + (text[position++] - '0');
            }
            return n;
        }

        /// <summary>Consumes one or more digits after the decimal sign: that fraction of <paramref name="unit"/>, in ticks (cut, not rounded).</summary>
        public bool TryFraction(long unit, out long ticks)
        {
            ticks = 0;
            var run = DigitRun();
            if (run == 0)
            {
                return false;
            }
            // Digits past the 18th cannot change the tick count of an hour (3.6e10 ticks): read them and drop them.
            var kept = Math.Min(run, 18);
            decimal numerator = 0, denominator = 1;
            for (var i = 0; i < kept; i++)
            {
                numerator = numerator * 10 + (text[position + i] - '0');
                denominator *= 10;
            }
            position += run;
            ticks = (long)decimal.Floor(numerator * unit / denominator);
            return true;
        }
    }
}
