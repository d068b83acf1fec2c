using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace ExecutionPlanner.Cli.Uws;

/// <summary>Reads UWS 1.1 documents (namespace http://www.ivoa.net/xml/UWS/v1.0) from any service.</summary>
internal static class UwsXml
{
    static readonly XNamespace Uws = "http://www.ivoa.net/xml/UWS/v1.0";
    static readonly XNamespace XLink = "http://www.w3.org/1999/xlink";

    public static UwsJob ReadJob(string xml, Uri url)
    {
        var job = Parse(xml, url, "job");
        return new UwsJob
        {
            Url = url,
            JobId = Value(job, "jobId") ?? url.Segments[^1].TrimEnd('/'),
            Phase = Value(job, "phase") ?? throw new CliException($"{url}: the job document has no phase."),
            RunId = Value(job, "runId"),
            OwnerId = Value(job, "ownerId"),
            CreationTime = Value(job, "creationTime"),
            StartTime = Value(job, "startTime"),
            EndTime = Value(job, "endTime"),
            Quote = Value(job, "quote"),
            ExecutionDuration = Value(job, "executionDuration"),
            Destruction = Value(job, "destruction"),
            ErrorSummary = job.Element(Uws + "errorSummary")?.Element(Uws + "message")?.Value.Trim(),
            Parameters = job.Element(Uws + "parameters")?.Elements(Uws + "parameter")
                .Select(p => KeyValuePair.Create((string?)p.Attribute("id") ?? "", p.Value)).ToList() ?? [],
            Results = ReadResults(job.Element(Uws + "results"), url),
        };
    }

    public static IReadOnlyList<UwsResultRef> ReadResultList(string xml, Uri url) => ReadResults(Parse(xml, url, "results"), url);

    public static IReadOnlyList<UwsJobRef> ReadJobList(string xml, Uri url) =>
        Parse(xml, url, "jobs").Elements(Uws + "jobref").Select(r =>
        {
            var id = (string?)r.Attribute("id") ?? "";
            var href = (string?)r.Attribute(XLink + "href");
            return new UwsJobRef(id, href is null ? new Uri(Slash(url), Uri.EscapeDataString(id)) : new Uri(url, href),
                Value(r, "phase") ?? "", Value(r, "runId"), Value(r, "ownerId"), Value(r, "creationTime"));
        }).ToList();

    static List<UwsResultRef> ReadResults(XElement? results, Uri jobUrl) =>
        results?.Elements(Uws + "result").Select(r =>
        {
            var id = (string?)r.Attribute("id") ?? "";
            var href = (string?)r.Attribute(XLink + "href");
            var size = long.TryParse((string?)r.Attribute("size"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : (long?)null;
            return new UwsResultRef(id, href is null ? new Uri(Slash(jobUrl), "results/" + id) : new Uri(jobUrl, href), size, (string?)r.Attribute("mime-type"));
        }).ToList() ?? [];

    static XElement Parse(string xml, Uri url, string root)
    {
        XDocument doc;
        try
        {
            doc = XDocument.Parse(xml);
        }
        catch (XmlException)
        {
            throw new CliException($"{url} did not answer UWS XML: {ServiceHttp.Shorten(xml)}");
        }
        if (doc.Root is not { } element || element.Name.LocalName != root)
        {
            throw new CliException($"{url} answered XML that is not a UWS <{root}> (root <{doc.Root?.Name.LocalName}>): is it a UWS 1.1 {(root == "jobs" ? "job list" : "job")} URL?");
        }
        return element;
    }

    static string? Value(XElement e, string name) => e.Element(Uws + name) is { } v && !v.Attributes().Any(a => a.Name.LocalName == "nil" && a.Value == "true") ? v.Value.Trim() : null;

    static Uri Slash(Uri url) => url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
}
