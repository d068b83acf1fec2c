using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Tests.Unit;

public sealed class DisplayTextTests
{
    [TestCase("\u001b[31merror\u001b[0m: bad", "error: bad")]
    [TestCase("\u001b[1;38;5;196mbold red\u001b[m", "bold red")]
    [TestCase("\u001b]0;title\u0007text", "text")]
    [TestCase("line\r\n\ttab", "line\r\n\ttab")]
    [TestCase("nul\u0000bell\u0007", "nul\uFFFDbell\uFFFD")]
    [TestCase("pair \ud83d\ude00 kept", "pair \ud83d\ude00 kept")]
    [TestCase("\uFFFE\uFFFF", "\uFFFD\uFFFD")]
    public void Escapes_are_removed_and_what_xml_cannot_carry_is_replaced(string text, string expected)
    {
        Assert.That(DisplayText.Clean(text), Is.EqualTo(expected));
    }

    [Test]
    public void A_lone_surrogate_is_replaced()
    {
        // Built at run time: an attribute argument cannot hold a lone surrogate.
        Assert.That(DisplayText.Clean("lone " + (char)0xD800 + " surrogate"), Is.EqualTo("lone \uFFFD surrogate"));
    }

    [Test]
    public void Long_text_is_cut_with_an_ellipsis()
    {
        Assert.That(DisplayText.Clean(new string('a', 50), 10), Is.EqualTo(new string('a', 9) + "…"));
        Assert.That(DisplayText.Clean("short", 10), Is.EqualTo("short"));
    }
}
