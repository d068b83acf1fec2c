using System.Net;
using System.Xml.Linq;
using ExecutionPlanner.Tests.Support;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>VOSI /availability and /capabilities, checked against the official schemas.</summary>
public sealed class VosiTests : ServerFixture
{
    static readonly XNamespace Vosi = "http://www.ivoa.net/xml/VOSIAvailability/v1.0";

    [Test]
    public async Task Availability_says_the_service_is_available()
    {
        using var client = Server.NewOwner();
        var document = await client.GetXmlAsync("/availability", SharedSchemas.AssertValidVosi);
        Assert.That(document.Root!.Element(Vosi + "available")!.Value, Is.EqualTo("true"));
    }

    [Test]
    public async Task Capabilities_list_the_uws_job_list_and_the_planner()
    {
        using var client = Server.NewOwner();
        var document = await client.GetXmlAsync("/capabilities", SharedSchemas.AssertValidVosi);
        var capabilities = document.Root!.Elements("capability")
            .ToDictionary(c => c.Attribute("standardID")!.Value, c => c.Element("interface")!.Element("accessURL")!.Value);
        Assert.That(capabilities["ivo://ivoa.net/std/UWS#rest-1.1"], Is.EqualTo(new Uri(Server.BaseAddress, "/jobs").ToString()));
        Assert.That(capabilities["ivo://ivoa.net/std/ExecutionBroker#offersets-1.0"], Is.EqualTo(new Uri(Server.BaseAddress, "/planner/offersets").ToString()));
        Assert.That(capabilities["ivo://ivoa.net/std/ExecutionPlanner#accepts-2021"], Is.EqualTo(new Uri(Server.BaseAddress, "/planner").ToString()));
        Assert.That(capabilities["ivo://ivoa.net/std/ExecutionBroker#requests-1.0"], Is.EqualTo(Server.BaseAddress.ToString().TrimEnd('/')));
        Assert.That(capabilities.Keys, Does.Contain("ivo://ivoa.net/std/VOSI#capabilities").And.Contain("ivo://ivoa.net/std/VOSI#availability"));
    }
}
