using System.Xml;

namespace ExecutionPlanner.Server.Http;

/// <summary>
/// An XmlWriter that passes everything to the writer it wraps, except that text and attribute values
/// have each character XML 1.0 cannot carry replaced by U+FFFD (<see cref="XmlCharacters.Replace"/>). Without
/// it, one stored value with such a character throws inside the writer: its job's document, and the
/// whole job list of its owner, would answer 500. Wrapping the writer, rather than each value, covers
/// every value the documents show, including ones added later.
/// </summary>
public sealed class XmlCharacterFilter(XmlWriter inner) : XmlWriter
{
    public override WriteState WriteState => inner.WriteState;

    public override XmlWriterSettings? Settings => inner.Settings;

    public override void WriteString(string? text) => inner.WriteString(text is null ? null : XmlCharacters.Replace(text));

    public override void WriteChars(char[] buffer, int index, int count) => WriteString(new string(buffer, index, count));

    public override void WriteCData(string? text) => inner.WriteCData(text is null ? null : XmlCharacters.Replace(text));

    public override void WriteComment(string? text) => inner.WriteComment(text is null ? null : XmlCharacters.Replace(text));

    public override void WriteRaw(char[] buffer, int index, int count) => WriteString(new string(buffer, index, count));

    public override void WriteRaw(string data) => WriteString(data);

    public override void WriteCharEntity(char ch) => WriteString(ch.ToString());

    public override void WriteSurrogateCharEntity(char lowChar, char highChar) => inner.WriteSurrogateCharEntity(lowChar, highChar);

    public override void WriteWhitespace(string? ws) => inner.WriteWhitespace(ws);

    public override void WriteBase64(byte[] buffer, int index, int count) => inner.WriteBase64(buffer, index, count);

    public override void WriteStartDocument() => inner.WriteStartDocument();

    public override void WriteStartDocument(bool standalone) => inner.WriteStartDocument(standalone);

    public override void WriteEndDocument() => inner.WriteEndDocument();

    public override void WriteDocType(string name, string? pubid, string? sysid, string? subset) => inner.WriteDocType(name, pubid, sysid, subset);

    public override void WriteStartElement(string? prefix, string localName, string? ns) => inner.WriteStartElement(prefix, localName, ns);

    public override void WriteEndElement() => inner.WriteEndElement();

    public override void WriteFullEndElement() => inner.WriteFullEndElement();

    public override void WriteStartAttribute(string? prefix, string localName, string? ns) => inner.WriteStartAttribute(prefix, localName, ns);

    public override void WriteEndAttribute() => inner.WriteEndAttribute();

    public override void WriteEntityRef(string name) => inner.WriteEntityRef(name);

    public override void WriteProcessingInstruction(string name, string? text) => inner.WriteProcessingInstruction(name, text);

    public override void Flush() => inner.Flush();

    public override string? LookupPrefix(string ns) => inner.LookupPrefix(ns);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
