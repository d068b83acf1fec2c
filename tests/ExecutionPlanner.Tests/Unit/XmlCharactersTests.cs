using ExecutionPlanner.Server.Http;
using System.Text;
using System.Xml.Linq;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Tests.Unit;

[Parallelizable(ParallelScope.Children)]
public sealed class XmlCharactersTests
{
    [TestCase("plain", -1)]
    [TestCase("tab\tnewline\ncr\r", -1)]
    [TestCase("\u007f\u0085\uFFFD\uE000\U0001F600 <&>", -1)]
    [TestCase("a\u0000", 1)]
    [TestCase("\u0001", 0)]
    [TestCase("ab\u001b[31m", 2)]
    [TestCase("x\uFFFE", 1)]
    [TestCase("x\uFFFF", 1)]
    public void IndexOfIllegal_finds_the_first_character_XML_1_0_cannot_carry(string text, int expected) =>
        Assert.That(XmlCharacters.IndexOfIllegal(text), Is.EqualTo(expected));

    /// <summary>Unpaired surrogates are built in code: attribute arguments are stored as UTF-8, which cannot hold them.</summary>
    [Test]
    public void IndexOfIllegal_finds_unpaired_surrogates()
    {
        Assert.That(XmlCharacters.IndexOfIllegal("x" + '\uD800'), Is.EqualTo(1));
        Assert.That(XmlCharacters.IndexOfIllegal("x" + '\uD800' + "y"), Is.EqualTo(1));
        Assert.That(XmlCharacters.IndexOfIllegal("x" + '\uDC00' + '\uD800'), Is.EqualTo(1));
        Assert.That(XmlCharacters.IndexOfIllegal("\U0001F600" + '\uDFFF'), Is.EqualTo(2));
    }

    [Test]
    public void Replace_puts_U_FFFD_for_each_illegal_character_and_keeps_surrogate_pairs()
    {
        Assert.That(XmlCharacters.Replace("a\u0001b" + '\uD800' + "\U0001F600" + '\uDC00' + "\uFFFF\t"), Is.EqualTo("a\uFFFDb\uFFFD\U0001F600\uFFFD\uFFFD\t"));
        const string Clean = "nothing to do \U0001F600";
        Assert.That(XmlCharacters.Replace(Clean), Is.SameAs(Clean));
    }

    [Test]
    public void Check_refuses_with_400_naming_the_value_the_character_and_its_position()
    {
        var ex = Assert.Throws<UwsRequestException>(() => XmlCharacters.Check("Parameter 'RUNID'", "run\u001b"))!;
        Assert.That(ex.StatusCode, Is.EqualTo(400));
        Assert.That(ex.Message, Does.Contain("Parameter 'RUNID'").And.Contain("U+001B").And.Contain("position 4"));
        Assert.DoesNotThrow(() => XmlCharacters.Check("x", "fine\r\n\t"));
    }

    /// <summary>Every character of the BMP (and unpaired surrogates) written through the filter gives well-formed XML that reads back as Replace says.</summary>
    [Test]
    public void The_UWS_writer_writes_any_string_as_well_formed_XML()
    {
        var all = new StringBuilder();
        for (var c = 0; c <= 0xFFFF; c++)
        {
            all.Append((char)c);
        }
        var text = all.ToString();
        using var buffer = new MemoryStream();
        using (var w = UwsXml.CreateWriter(buffer))
        {
            w.WriteStartElement("v");
            w.WriteAttributeString("a", text);
            w.WriteString(text);
            w.WriteEndElement();
        }
        var read = XDocument.Parse(Encoding.UTF8.GetString(buffer.ToArray()), LoadOptions.PreserveWhitespace).Root!;
        Assert.That(read.Value, Is.EqualTo(XmlCharacters.Replace(text)));
        Assert.That(read.Attribute("a")!.Value, Is.EqualTo(XmlCharacters.Replace(text)));
    }

    [Test]
    public void An_owner_name_XML_cannot_carry_stops_the_server_at_start_up()
    {
        var validator = new ExecutionPlanner.Server.Http.AuthOptionsValidator();
        var bad = validator.Validate(null, new ExecutionPlanner.Server.Http.AuthOptions { Tokens = { ["token-one"] = "own\u0001er" } });
        Assert.That(bad.Failed, Is.True);
        Assert.That(bad.FailureMessage, Does.Contain("Auth:Tokens").And.Contain("XML 1.0"));
        var good = validator.Validate(null, new ExecutionPlanner.Server.Http.AuthOptions { Tokens = { ["token-one"] = "\u00e9mile" } });
        Assert.That(good.Succeeded, Is.True);
    }
}
