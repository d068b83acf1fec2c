using System.Text;
using ExecutionPlanner.Server.Execution.LiveOutput;

namespace ExecutionPlanner.Tests.Unit;

public sealed class OutputLineStreamTests
{
    static void Write(OutputLineStream s, string text) => s.Write(Encoding.UTF8.GetBytes(text));

    [Test]
    public void Lines_are_split_on_newlines_and_an_unterminated_one_waits_until_the_end()
    {
        using var s = new OutputLineStream(1024);
        Write(s, "a\r\nb\nc");
        Assert.That(s.TakeLines(includePartial: false).Lines, Is.EqualTo(new[] { "a", "b" }));
        Write(s, "d\n");
        Write(s, "e");
        Assert.That(s.TakeLines(includePartial: false).Lines, Is.EqualTo(new[] { "cd" }));
        Assert.That(s.TakeLines(includePartial: true).Lines, Is.EqualTo(new[] { "e" }));
        Assert.That(s.TakeLines(includePartial: true).Lines, Is.Empty);
    }

    [Test]
    public void A_long_line_is_cut_and_a_line_that_never_ends_is_published_in_pieces()
    {
        using var s = new OutputLineStream(1024);
        Write(s, new string('x', 3000) + "\n");
        Assert.That(s.TakeLines(false).Lines.Single(), Has.Length.EqualTo(OutputLineStream.MaxLineChars));
        Write(s, new string('y', 10_000));
        Assert.That(s.TakeLines(false).Lines, Has.Count.EqualTo(2), "two pieces of 4096 bytes; the rest waits");
    }

    [Test]
    public void Lines_beyond_the_pending_bound_are_counted_not_kept()
    {
        using var s = new OutputLineStream(1024);
        Write(s, string.Concat(Enumerable.Repeat("l\n", OutputLineStream.MaxPendingLines + 7)));
        var (lines, skipped) = s.TakeLines(false);
        Assert.That((lines.Count, skipped), Is.EqualTo((OutputLineStream.MaxPendingLines, 7L)));
        Assert.That(s.TakeLines(false).Skipped, Is.Zero);
    }

    [Test]
    public void The_tail_keeps_the_latest_bytes_from_a_line_start_and_is_taken_only_when_changed()
    {
        using var s = new OutputLineStream(10);
        var empty = s.TakeTail()!.Value;
        Assert.That((empty.Content, empty.Total), Is.EqualTo((Array.Empty<byte>(), 0L)), "the first take stores an empty tail, so that a quiet job reads as empty");
        Write(s, "abc\n");
        var first = s.TakeTail()!.Value;
        Assert.That((Encoding.UTF8.GetString(first.Content), first.Total), Is.EqualTo(("abc\n", 4L)));
        Assert.That(s.TakeTail(), Is.Null);
        Write(s, "defghijk\nl\n");
        var second = s.TakeTail()!.Value;
        Assert.That((Encoding.UTF8.GetString(second.Content), second.Total), Is.EqualTo(("l\n", 15L)), "cut mid-line: starts at the next line");
        Write(s, new string('z', 25));
        Assert.That(Encoding.UTF8.GetString(s.TakeTail()!.Value.Content), Is.EqualTo(new string('z', 10)));
    }
}
