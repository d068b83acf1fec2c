using System.Net;
using System.Xml.Linq;
using ExecutionPlanner.Tests.Support;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>VOSI /availability and /capabilities, checked against the official schemas.</summary>
[Category("PostgreSQL")]
[Parallelizable(ParallelScope.Children)]
public sealed class VosiTests
{
    static readonly XNamespace Vosi = "http://www.ivoa.net/xml/VOSIAvailability/v1.0";
    UwsTestServer server = null!;

    [OneTimeSetUp]
    public async Task Start() => server = await UwsTestServer.StartAsync();

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    static async Task<XDocument> GetXmlAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/xml"));
        var document = XDocument.Parse(body);
        SharedSchemas.AssertValidVosi(document);
        return document;
    }

    [Test]
    public async Task Availability_says_the_service_is_available()
    {
        using var client = server.NewOwner();
        var document = await GetXmlAsync(client, "/availability");
        Assert.That(document.Root!.Element(Vosi + "available")!.Value, Is.EqualTo("true"));
    }

    [Test]
    public async Task Capabilities_list_the_uws_job_list_and_the_planner()
    {
        using var client = server.NewOwner();
        var document = await GetXmlAsync(client, "/capabilities");
        var capabilities = document.Root!.Elements("capability")
            .ToDictionary(c => c.Attribute("standardID")!.Value, c => c.Element("interface")!.Element("accessURL")!.Value);
        Assert.That(capabilities["ivo://ivoa.net/std/UWS#rest-1.1"], Is.EqualTo(new Uri(server.BaseAddress, "/jobs").ToString()));
        Assert.That(capabilities["ivo://ivoa.net/std/ExecutionBroker#offersets-1.0"], Is.EqualTo(new Uri(server.BaseAddress, "/planner/offersets").ToString()));
        Assert.That(capabilities.Keys, Does.Contain("ivo://ivoa.net/std/VOSI#capabilities").And.Contain("ivo://ivoa.net/std/VOSI#availability"));
    }
}
