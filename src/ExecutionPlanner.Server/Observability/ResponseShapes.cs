using ExecutionPlanner.Server.Jobs;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ExecutionPlanner.Server.Observability;

/// <summary>
/// Describes what each operation answers, which the handlers' return types do not say: the UWS 1.1 XML documents
/// (text/xml, the uws: element of the UWS schema), the plain-text values, the 303 See Other after every change,
/// and the plain-text 4xx messages of <see cref="UwsErrorFilter"/>; for the planner, its JSON answers, 303 and 4xx.
/// Only the description changes: no answer does.
/// </summary>
public sealed class ResponseShapes : IOpenApiOperationTransformer
{
    const string UwsNs = "http://www.ivoa.net/xml/UWS/v1.0";
    const string Xml = "text/xml";
    const string Text = "text/plain";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var path = "/" + (context.Description.RelativePath ?? "").TrimEnd('/');
        var method = context.Description.HttpMethod ?? "GET";
        var tags = operation.Tags?.Select(t => t.Name).ToList() ?? [];
        operation.Responses ??= [];
        if (tags.Contains("UWS"))
        {
            DescribeUws(operation, path, method);
        }
        else if (tags.Any(t => t?.StartsWith("Planner", StringComparison.Ordinal) == true))
        {
            DescribePlanner(operation, path, method);
        }
        else if (tags.Contains("Events"))
        {
            var which = path == "/jobs/events" ? "every job of the caller" : "the job";
            Set(operation, "200", $"Server-Sent Events (text/event-stream) of {which}: event phase, message, stdout, stderr, deleted; " +
                "each data line a JSON object (README, \"Live job events\"); a keep-alive comment every Jobs:EventHeartbeat.",
                "text/event-stream", new OpenApiSchema { Type = JsonSchemaType.String });
            Error(operation, "401", "No or an unknown bearer token where the server requires one.");
            if (path != "/jobs/events")
            {
                Error(operation, "404", "No such job (or not the caller's).");
            }
        }
        else if (tags.Contains(Web.BrowserApi.Tag))
        {
            DescribeBrowser(operation, method);
        }
        else if (tags.Contains("VOSI"))
        {
            var element = path.EndsWith("availability", StringComparison.Ordinal) ? "vosi:availability (VOSIAvailability v1.0)" : "vosi:capabilities (VOSICapabilities v1.0)";
            Set(operation, "200", $"The VOSI document {element}.", Xml, XmlSchema(element));
        }
        return Task.CompletedTask;
    }

    static void DescribeUws(OpenApiOperation operation, string path, string method)
    {
        var underJob = path.Contains("{jobId}", StringComparison.Ordinal);
        if (method == "GET")
        {
            var (description, mediaType, schema) = path switch
            {
                "/jobs" => ("The caller's jobs: a uws:jobs document (UWS 1.1 §2.2.2.1), filtered by PHASE, AFTER and LAST; WAIT is not used here.", Xml, XmlSchema("uws:jobs", "jobs")),
                "/jobs/{jobId}" => ("The job: a uws:job document (UWS 1.1 §2.2.3). With WAIT=<seconds> (and PHASE), answers when the phase changes or the time is up.", Xml, XmlSchema("uws:job", "job")),
                "/jobs/{jobId}/parameters" => ("The job's parameters: a uws:parameters document.", Xml, XmlSchema("uws:parameters", "parameters")),
                "/jobs/{jobId}/results" => ("The job's results: a uws:results document whose xlink:href attributes point at the files.", Xml, XmlSchema("uws:results", "results")),
                "/jobs/{jobId}/results/{name}" => ("A result file of the job (stdout, stderr or a file the container wrote under /uws/results), as stored.", "application/octet-stream", new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" }),
                _ => ("The value as plain text (UWS 1.1 §2.2.3: phase, executionduration, destruction, quote, owner, error, or a parameter's value).", Text, new OpenApiSchema { Type = JsonSchemaType.String }),
            };
            Set(operation, "200", description, mediaType, schema);
            if (path is "/jobs" or "/jobs/{jobId}")
            {
                // The browser view answers here too, for clients that rank text/html above XML (Web/BrowserRequests).
                ((OpenApiResponse)operation.Responses!["200"]).Content!["text/html"] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The browser view's page, only for an Accept header that ranks text/html above XML (as browsers send)." },
                };
            }
        }
        else
        {
            var target = path == "/jobs" ? "the new job" : method == "DELETE" || path == "/jobs/{jobId}" ? "the job list (after a delete) or the job" : "the job";
            Set(operation, "303", $"See Other: done; the Location header points at {target} (UWS 1.1 §2.2.3).", null, null);
            operation.Responses!["303"] = WithLocation((OpenApiResponse)operation.Responses["303"]);
            Error(operation, "400", "The request was refused: the message says which parameter or value was wrong.");
            Error(operation, "413", "An upload or the body is larger than this server takes (Jobs:MaxUploadBytes).");
        }
        Error(operation, "401", "No or an unknown bearer token where the server requires one (WWW-Authenticate says how).");
        if (underJob)
        {
            Error(operation, "403", "The job belongs to another owner.");
            Error(operation, "404", "No such job (or result, or parameter).");
        }
        Error(operation, "503", "PostgreSQL or the Docker engine is unreachable; retry later.");
    }

    static void DescribePlanner(OpenApiOperation operation, string path, string method)
    {
        if (path != "/requests")
        {
            // The handlers return JsonObject (the dialects differ), which the generator cannot see into: say what each holds.
            var description = path switch
            {
                "/planner/accepts" => "The 2021 ExecutionPlanner note's answer: {\"reponseword\": \"YES\"|\"NO\"} for the task type.",
                "/planner/accept" => "The 2021 note's answer to a task: reponseword YES with the offers, or NO with the reasons.",
                _ when path.Contains("session", StringComparison.Ordinal) => "The session (Calycopis-openapi): its phase, the offer it came from and the job it runs as.",
                _ when path.Contains("offerset", StringComparison.Ordinal) => "The offer set: its offers (each with phase, start, duration, cores, memory and links to accept or reject) and the reasons for any missing.",
                _ => "The offer: its phase (OFFERED, ACCEPTED, REJECTED, EXPIRED), its resources and, once accepted, the UWS job it created.",
            };
            Set(operation, "200", description, "application/json", new OpenApiSchema { Type = JsonSchemaType.Object, Description = description });
        }
        if (operation.Responses!.ContainsKey("303"))
        {
            operation.Responses["303"] = WithLocation(new OpenApiResponse { Description = "See Other: the offer set was made; Location points at it." });
        }
        if (method == "POST")
        {
            Error(operation, "400", "The task description could not be read: the message says what was wrong.");
            Error(operation, "413", "The body is larger than the planner reads.");
            Error(operation, "415", "A Content-Type the planner does not read (it reads JSON, YAML and forms).");
        }
        Error(operation, "401", "No or an unknown bearer token where the server requires one.");
        if (path.Contains('{', StringComparison.Ordinal))
        {
            Error(operation, "404", "No such offer set, offer or session (or not the caller's).");
        }
        if (method == "POST" && path.Contains('{', StringComparison.Ordinal))
        {
            Error(operation, "409", "The offer or session is in a phase that does not allow the change (e.g. accepting an expired offer).");
        }
        Error(operation, "503", "PostgreSQL is unreachable; retry later.");
    }

    /// <summary>The browser view's pages and forms (Web/): HTML for people, 303 after each form, refusals as pages.</summary>
    static void DescribeBrowser(OpenApiOperation operation, string method)
    {
        const string Html = "text/html";
        var page = new OpenApiSchema { Type = JsonSchemaType.String, Description = "An HTML page." };
        if (method == "GET")
        {
            Set(operation, "200", "A page of the browser view (the assets: a stylesheet or a script).", Html, page);
        }
        else
        {
            Set(operation, "303", "See Other: done; Location points at the page to show next.", null, null);
            operation.Responses!["303"] = WithLocation((OpenApiResponse)operation.Responses["303"]);
            Set(operation, "400", "The form was refused: the form again, with the reason.", Html, page);
            Set(operation, "403", "The form's antiforgery value does not fit this browser's cookies.", Html, page);
        }
        Set(operation, "404", "No such job, offer set, offer or asset (or not the signed-in owner's). / answers a plain-text 404 to clients that do not rank text/html above XML.", Html, page);
    }

    static OpenApiSchema XmlSchema(string element, string? uwsName = null) => new()
    {
        Type = JsonSchemaType.String,
        Description = uwsName is null
            ? $"An XML document whose root is {element}."
            : $"An XML document whose root is {element} (namespace {UwsNs}; schema https://www.ivoa.net/xml/UWS/UWS-v1.1.xsd).",
        Xml = uwsName is null ? null : new OpenApiXml { Name = uwsName, Namespace = new Uri(UwsNs), Prefix = "uws" },
    };

    static OpenApiResponse WithLocation(OpenApiResponse response)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers["Location"] = new OpenApiHeader { Description = "Absolute URL of the resource to look at next.", Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri" } };
        return response;
    }

    static void Error(OpenApiOperation operation, string status, string description) =>
        Set(operation, status, description, Text, new OpenApiSchema { Type = JsonSchemaType.String, Description = "A plain-text message saying what was wrong." });

    static void Set(OpenApiOperation operation, string status, string description, string? mediaType, IOpenApiSchema? schema)
    {
        var response = new OpenApiResponse { Description = description };
        if (mediaType is not null)
        {
            response.Content = new Dictionary<string, OpenApiMediaType> { [mediaType] = new() { Schema = schema } };
        }
        operation.Responses![status] = response;
    }
}
