using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ExecutionPlanner.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>/openapi/v1.json describes every route the server maps; /docs browses it with nothing fetched from elsewhere.</summary>
public sealed partial class ApiDocumentationTests : ServerFixture
{
    [Test]
    public async Task The_openapi_document_lists_every_route_the_server_maps()
    {
        using var document = await GetDocumentAsync();
        Assert.That(document.RootElement.GetProperty("openapi").GetString(), Does.StartWith("3."));
        var documented = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => $"{o.Name.ToUpperInvariant()} {p.Name}"))
            .ToHashSet();

        var mapped = MappedRoutes();
        // The routes of issue 11's item 4, so that a regression in the enumeration itself cannot pass unseen.
        Assert.That(mapped, Is.SupersetOf(new[]
        {
            "GET /jobs", "POST /jobs", "GET /jobs/{jobId}", "DELETE /jobs/{jobId}", "POST /jobs/{jobId}/phase", "GET /jobs/{jobId}/results/{name}",
            "POST /planner/offersets", "GET /planner/accepts", "POST /planner/accept", "POST /requests", "GET /offersets/{uuid}",
            "GET /sessions/{uuid}", "POST /sessions/{uuid}", "GET /availability", "GET /capabilities", "GET /health/live", "GET /health/ready", "GET /metrics",
        }));
        Assert.That(mapped.Except(documented), Is.Empty, "Routes the server maps but the OpenAPI document does not describe.");
        Assert.That(documented.Except(mapped), Is.Empty, "Routes the OpenAPI document describes but the server does not map.");
    }

    [Test]
    public async Task Uws_operations_describe_their_xml_their_303_and_their_plain_text_errors()
    {
        using var document = await GetDocumentAsync();
        var paths = document.RootElement.GetProperty("paths");
        var getJob = Responses(paths, "/jobs/{jobId}", "get");
        AssertAnswer(getJob, "200", "text/xml");
        AssertAnswer(getJob, "404", "text/plain");
        AssertAnswer(getJob, "403", "text/plain");
        var createJob = Responses(paths, "/jobs", "post");
        AssertAnswer(createJob, "303", null);
        Assert.That(createJob.GetProperty("303").GetProperty("headers").TryGetProperty("Location", out _), createJob.ToString());
        AssertAnswer(createJob, "400", "text/plain");
        var list = Responses(paths, "/jobs", "get");
        AssertAnswer(list, "200", "text/xml");
        Assert.That(list.GetProperty("200").GetProperty("content").GetProperty("text/xml").GetProperty("schema").ToString(),
            Does.Contain("http://www.ivoa.net/xml/UWS/v1.0"), list.ToString());

        var offerSet = Responses(paths, "/planner/offersets", "post");
        AssertAnswer(offerSet, "200", "application/json");
        AssertAnswer(offerSet, "415", "text/plain");
        AssertAnswer(Responses(paths, "/requests", "post"), "303", null);
        AssertAnswer(Responses(paths, "/capabilities", "get"), "200", "text/xml");
        AssertAnswer(Responses(paths, "/health/ready", "get"), "503", "application/json");
    }

    [Test]
    public async Task The_docs_page_and_every_script_and_stylesheet_it_references_are_served_by_this_server()
    {
        using var client = Server.Anonymous();
        using var first = await client.GetAsync("/docs");
        // Scalar answers /docs with a redirect to /docs/ (relative assets resolve under it); it must stay on this server.
        var location = first.StatusCode == HttpStatusCode.Found ? new Uri(Server.BaseAddress, first.Headers.Location!) : null;
        Assert.That(location?.Authority ?? Server.BaseAddress.Authority, Is.EqualTo(Server.BaseAddress.Authority));
        using var page = location is null ? first : await client.GetAsync(location);
        var html = await page.Content.ReadAsStringAsync();
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), html);
        Assert.That(page.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"));

        var pageUri = page.RequestMessage!.RequestUri!;
        var assets = AssetReference().Matches(html).Select(m => new Uri(pageUri, m.Groups["url"].Value)).ToList();
        Assert.That(assets, Is.Not.Empty, html);
        foreach (var asset in assets)
        {
            Assert.That(asset.Host, Is.EqualTo(Server.BaseAddress.Host), $"{asset} is not on this server:\n{html}");
            using var answer = await client.GetAsync(asset);
            Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK), asset.ToString());
            Assert.That((await answer.Content.ReadAsByteArrayAsync()).Length, Is.GreaterThan(1000), asset.ToString());
        }
        // The document the page loads: Scalar resolves the source against the application's root (its script, initialize()).
        var sources = DocumentSource().Matches(html).Select(m => new Uri(Server.BaseAddress, m.Groups["url"].Value)).ToList();
        Assert.That(sources, Is.Not.Empty, html);
        foreach (var source in sources)
        {
            using var answer = await client.GetAsync(source);
            Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK), source.ToString());
        }
        Assert.That(html, Does.Contain("\"withDefaultFonts\":false").And.Contain("\"telemetry\":false"), html);
        // Nothing else in the page (fonts, a proxy, the CDN) points off this server either.
        Assert.That(OffServerUrl().Matches(html).Select(m => m.Value), Is.Empty, html);
    }

    async Task<JsonDocument> GetDocumentAsync()
    {
        using var client = Server.Anonymous();
        using var answer = await client.GetAsync("/openapi/v1.json");
        var body = await answer.Content.ReadAsStringAsync();
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(answer.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
        return JsonDocument.Parse(body);
    }

    static void AssertAnswer(JsonElement responses, string status, string? mediaType)
    {
        Assert.That(responses.TryGetProperty(status, out var answer), $"No {status} in {responses}");
        Assert.That(answer.GetProperty("description").GetString(), Is.Not.Empty, responses.ToString());
        if (mediaType is not null)
        {
            Assert.That(answer.TryGetProperty("content", out var content) && content.TryGetProperty(mediaType, out _), $"No {mediaType} for {status} in {responses}");
        }
    }

    static JsonElement Responses(JsonElement paths, string path, string method) =>
        paths.GetProperty(path).GetProperty(method).GetProperty("responses");

    /// <summary>Every route endpoint of the running app as "METHOD /path" (route syntax normalised to OpenAPI's), but the documentation's own.</summary>
    HashSet<string> MappedRoutes()
    {
        var routes = new HashSet<string>();
        foreach (var endpoint in Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var path = "/" + RouteSyntax().Replace(endpoint.RoutePattern.RawText ?? "", "{${name}}").Trim('/');
            if (path.StartsWith("/openapi/", StringComparison.Ordinal) || path == "/docs" || path.StartsWith("/docs/", StringComparison.Ordinal))
            {
                continue;
            }
            // Endpoints without a method (the health checks, the scrape endpoint) answer GET.
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods)
            {
                routes.Add($"{method} {path}");
            }
        }
        return routes;
    }

    [GeneratedRegex(@"\{\**(?<name>[A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex RouteSyntax();

    [GeneratedRegex(@"<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*[""'](?<url>[^""']+)[""']", RegexOptions.IgnoreCase)]
    private static partial Regex AssetReference();

    [GeneratedRegex(@"""sources"":\[\{[^\]]*?""url"":""(?<url>[^""]+)""")]
    private static partial Regex DocumentSource();

    [GeneratedRegex(@"(?:https?:)?//(?!127\.0\.0\.1|localhost)[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s""'<>]*")]
    private static partial Regex OffServerUrl();
}
