using System.Text;
using System.Xml;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Planner;
using Npgsql;

namespace ExecutionPlanner.Server.Vosi;

/// <summary>
/// VOSI 1.0 /availability and /capabilities (REC-VOSI-1.0): whether the service can take work (its
/// database answers), and the capabilities it has: VOSI itself, the UWS 1.1 job list and the planner.
/// </summary>
public static class VosiApi
{
    public const string AvailabilityNs = "http://www.ivoa.net/xml/VOSIAvailability/v1.0";
    public const string CapabilitiesNs = "http://www.ivoa.net/xml/VOSICapabilities/v1.0";
    public const string VoResourceNs = "http://www.ivoa.net/xml/VOResource/v1.0";
    public const string XsiNs = "http://www.w3.org/2001/XMLSchema-instance";

    public const string UwsStandardId = "ivo://ivoa.net/std/UWS#rest-1.1";

    /// <summary>The planner's interface: the ExecutionBroker offer-set API (no registered standard yet).</summary>
    public const string PlannerStandardId = "ivo://ivoa.net/std/ExecutionBroker#offersets-1.0";

    public static IEndpointRouteBuilder MapVosi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/availability", Availability).WithTags("VOSI");
        app.MapGet("/capabilities", Capabilities).WithTags("VOSI");
        return app;
    }

    static async Task<ContentHttpResult> Availability(NpgsqlDataSource database, CancellationToken ct)
    {
        string note;
        bool available;
        try
        {
            await using var connection = await database.OpenConnectionAsync(ct);
            available = true;
            note = "service is accepting jobs and planning requests";
        }
        catch (NpgsqlException ex)
        {
            available = false;
            note = $"the job database is unreachable: {ex.Message}";
        }
        return Xml(w =>
        {
            w.WriteStartElement("vosi", "availability", AvailabilityNs);
            w.WriteElementString("vosi", "available", AvailabilityNs, available ? "true" : "false");
            w.WriteElementString("vosi", "note", AvailabilityNs, note);
            w.WriteEndElement();
        });
    }

    static ContentHttpResult Capabilities(HttpRequest request)
    {
        var root = $"{request.Scheme}://{request.Host}{request.PathBase}";
        return Xml(w =>
        {
            w.WriteStartElement("vosi", "capabilities", CapabilitiesNs);
            w.WriteAttributeString("xmlns", "vr", null, VoResourceNs);
            w.WriteAttributeString("xmlns", "xsi", null, XsiNs);
            Capability(w, "ivo://ivoa.net/std/VOSI#capabilities", $"{root}/capabilities", "full", null);
            Capability(w, "ivo://ivoa.net/std/VOSI#availability", $"{root}/availability", "full", null);
            Capability(w, UwsStandardId, JobLinks.JobList(request), "base",
                "The simple-docker-uws job list: each job runs a Docker container (parameters image, cmd, env, cores, memory).");
            Capability(w, PlannerStandardId, PlannerLinks.OfferSets(request), "base",
                "The planner: POST a task description (JSON or YAML) for offers; accepting an offer creates a job in the UWS job list.");
            Capability(w, PlannerStandardIds.Note2021, $"{root}{PlannerLinks.PlannerPath}", "base",
                "The 2021 ExecutionPlanner note's interface: GET accepts?tasktype=<URI> and POST accept, answered with reponseword YES or NO.");
            Capability(w, PlannerStandardIds.Calycopis, root, "base",
                "The ExecutionBroker prototype's (Calycopis-openapi) routes: POST requests, GET offersets/{uuid}, GET and POST sessions/{uuid}.");
            w.WriteEndElement();
        });
    }

    static void Capability(XmlWriter w, string standardId, string url, string use, string? description)
    {
        w.WriteStartElement("capability");
        w.WriteAttributeString("standardID", standardId);
        if (description is not null)
        {
            w.WriteElementString("description", description);
        }
        w.WriteStartElement("interface");
        w.WriteAttributeString("xsi", "type", XsiNs, "vr:WebService");
        w.WriteStartElement("accessURL");
        w.WriteAttributeString("use", use);
        w.WriteString(url);
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
    }

    static ContentHttpResult Xml(Action<XmlWriter> write)
    {
        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(sb, new XmlWriterSettings { Indent = true, Encoding = Encoding.UTF8 }))
        {
            w.WriteStartDocument();
            write(w);
            w.WriteEndDocument();
        }
        return TypedResults.Text(sb.ToString().Replace("encoding=\"utf-16\"", "encoding=\"UTF-8\"", StringComparison.Ordinal),
            "text/xml; charset=utf-8");
    }
}
