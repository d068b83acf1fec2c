using ExecutionPlanner.Server.Http;
using System.Globalization;
using System.Text;
using System.Xml;
using ExecutionPlanner.Server.Persistence;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// Writes the UWS 1.1 documents (job, job list, results, parameters) in the order UWS.xsd demands
/// (checklist D.23-25), with xsi:nil where the schema makes an element required but nillable.
/// </summary>
public static class UwsXml
{
    public const string UwsNs = "http://www.ivoa.net/xml/UWS/v1.0";
    public const string XlinkNs = "http://www.w3.org/1999/xlink";

    /// <summary>Our elements inside jobInfo: exitCode and message.</summary>
    public const string JobInfoNs = "urn:executionplanner";
    public const string XsiNs = "http://www.w3.org/2001/XMLSchema-instance";
    public const string ContentType = "text/xml; charset=utf-8";

    /// <summary>
    /// Line breaks are entitized (&amp;#xD;): a CR in a stored value, such as a cmd argument, then reads
    /// back as written instead of being normalised to LF by the reader.
    /// </summary>
    public static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(false),
        Indent = true,
        CloseOutput = false,
        NewLineHandling = NewLineHandling.Entitize,
    };

    /// <summary>The writer for every UWS document: no stored value can make it throw (<see cref="XmlCharacterFilter"/>).</summary>
    public static XmlWriter CreateWriter(Stream output) => new XmlCharacterFilter(XmlWriter.Create(output, Settings));

    public static void WriteJob(XmlWriter w, JobEntity job, IReadOnlyList<JobFileInfo> files, string jobUrl)
    {
        w.WriteStartDocument();
        StartRoot(w, "job");
        w.WriteElementString("uws", "jobId", UwsNs, job.Id);
        if (job.RunId is not null)
        {
            w.WriteElementString("uws", "runId", UwsNs, job.RunId);
        }
        Nillable(w, "ownerId", job.OwnerId.Length == 0 ? null : job.OwnerId);
        w.WriteElementString("uws", "phase", UwsNs, job.Phase.ToString());
        Nillable(w, "quote", Time(job.Quote));
        w.WriteElementString("uws", "creationTime", UwsNs, UwsTime.Format(job.CreationTime));
        Nillable(w, "startTime", Time(job.StartTime));
        Nillable(w, "endTime", Time(job.EndTime));
        w.WriteElementString("uws", "executionDuration", UwsNs, job.ExecutionDuration.ToString(CultureInfo.InvariantCulture));
        Nillable(w, "destruction", UwsTime.Format(job.Destruction));
        WriteParameterList(w, job, files, jobUrl);
        WriteResultList(w, files, jobUrl);
        if (job.ErrorSummary is not null)
        {
            w.WriteStartElement("uws", "errorSummary", UwsNs);
            w.WriteAttributeString("type", job.ErrorIsTransient ? "transient" : "fatal");
            w.WriteAttributeString("hasDetail", job.ErrorDetail is null ? "false" : "true");
            w.WriteElementString("uws", "message", UwsNs, job.ErrorSummary);
            w.WriteEndElement();
        }
        if (job.ExitCode is not null || job.Messages.Count > 0)
        {
            // jobInfo is the schema's place for implementation data (checklist K.63): the exit code, and what
            // the service did to the request or the run (JobMessages), oldest first.
            w.WriteStartElement("uws", "jobInfo", UwsNs);
            if (job.ExitCode is { } exitCode)
            {
                w.WriteElementString("exitCode", JobInfoNs, exitCode.ToString(CultureInfo.InvariantCulture));
            }
            foreach (var message in job.Messages)
            {
                w.WriteStartElement("message", JobInfoNs);
                w.WriteAttributeString("time", UwsTime.Format(message.Time));
                w.WriteString(DisplayText.Clean(message.Text));
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    public static void StartJobList(XmlWriter w)
    {
        w.WriteStartDocument();
        StartRoot(w, "jobs");
    }

    public static void WriteJobRef(XmlWriter w, JobRef job, string jobListUrl)
    {
        w.WriteStartElement("uws", "jobref", UwsNs);
        w.WriteAttributeString("id", job.Id);
        w.WriteAttributeString("xlink", "href", XlinkNs, JobLinks.Job(jobListUrl, job.Id));
        w.WriteElementString("uws", "phase", UwsNs, job.Phase.ToString());
        if (job.RunId is not null)
        {
            w.WriteElementString("uws", "runId", UwsNs, job.RunId);
        }
        Nillable(w, "ownerId", job.OwnerId.Length == 0 ? null : job.OwnerId);
        w.WriteElementString("uws", "creationTime", UwsNs, UwsTime.Format(job.CreationTime));
        w.WriteEndElement();
    }

    public static void EndJobList(XmlWriter w)
    {
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    public static void WriteResults(XmlWriter w, IReadOnlyList<JobFileInfo> files, string jobUrl)
    {
        w.WriteStartDocument();
        WriteResultList(w, files, jobUrl, asRoot: true);
        w.WriteEndDocument();
    }

    public static void WriteParameters(XmlWriter w, JobEntity job, IReadOnlyList<JobFileInfo> files, string jobUrl)
    {
        w.WriteStartDocument();
        WriteParameterList(w, job, files, jobUrl, asRoot: true);
        w.WriteEndDocument();
    }

    /// <summary>
    /// A document root. UWS.xsd declares the version attribute only on job and jobs (checklist B.15);
    /// on the results and parameters roots it would make the document invalid.
    /// </summary>
    static void StartRoot(XmlWriter w, string name)
    {
        w.WriteStartElement("uws", name, UwsNs);
        w.WriteAttributeString("xmlns", "xlink", null, XlinkNs);
        w.WriteAttributeString("xmlns", "xsi", null, XsiNs);
        if (name is "job" or "jobs")
        {
            w.WriteAttributeString("version", "1.1");
        }
    }

    static void WriteParameterList(XmlWriter w, JobEntity job, IReadOnlyList<JobFileInfo> files, string jobUrl, bool asRoot = false)
    {
        if (asRoot)
        {
            StartRoot(w, "parameters");
        }
        else
        {
            w.WriteStartElement("uws", "parameters", UwsNs);
        }
        foreach (var p in job.Parameters)
        {
            w.WriteStartElement("uws", "parameter", UwsNs);
            w.WriteAttributeString("id", p.Name);
            w.WriteString(p.Value);
            w.WriteEndElement();
        }
        foreach (var input in files.Where(f => f.Kind == JobFileKind.Input))
        {
            w.WriteStartElement("uws", "parameter", UwsNs);
            w.WriteAttributeString("id", input.Name);
            w.WriteAttributeString("byReference", "true");
            w.WriteString(JobLinks.Input(jobUrl, input.Name));
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    static void WriteResultList(XmlWriter w, IReadOnlyList<JobFileInfo> files, string jobUrl, bool asRoot = false)
    {
        if (asRoot)
        {
            StartRoot(w, "results");
        }
        else
        {
            w.WriteStartElement("uws", "results", UwsNs);
        }
        foreach (var result in files.Where(f => f.Kind == JobFileKind.Result))
        {
            w.WriteStartElement("uws", "result", UwsNs);
            w.WriteAttributeString("id", result.Name);
            w.WriteAttributeString("xlink", "type", XlinkNs, "simple");
            w.WriteAttributeString("xlink", "href", XlinkNs, JobLinks.Result(jobUrl, result.Name));
            w.WriteAttributeString("size", result.Size.ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("mime-type", result.MimeType);
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    static void Nillable(XmlWriter w, string name, string? value)
    {
        w.WriteStartElement("uws", name, UwsNs);
        if (value is null)
        {
            w.WriteAttributeString("xsi", "nil", XsiNs, "true");
        }
        else
        {
            w.WriteString(value);
        }
        w.WriteEndElement();
    }

    static string? Time(DateTimeOffset? t) => t is { } v ? UwsTime.Format(v) : null;
}
