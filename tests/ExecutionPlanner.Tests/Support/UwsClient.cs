using System.Net;
using System.Xml.Linq;

namespace ExecutionPlanner.Tests.Support;

/// <summary>What a UWS client does, as test steps that check the protocol as they go.</summary>
public static class UwsClient
{
    public static readonly XNamespace Uws = "http://www.ivoa.net/xml/UWS/v1.0";
    public static readonly XNamespace Xlink = "http://www.w3.org/1999/xlink";
    public static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    public const string Image = "executionplanner/busybox:1";

    /// <summary>POST /jobs; asserts 303 to the new job and returns its id.</summary>
    public static async Task<string> CreateJobAsync(this HttpClient client, params (string Name, string Value)[] form)
    {
        var pairs = form.Any(p => p.Name.Equals("image", StringComparison.OrdinalIgnoreCase)) ? form : [("image", Image), .. form];
        using var response = await client.PostFormAsync("/jobs", pairs);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await response.Content.ReadAsStringAsync());
        var location = response.Headers.Location!;
        Assert.That(location.IsAbsoluteUri, Is.True, "Location must be absolute");
        return location.Segments[^1];
    }

    public static Task<HttpResponseMessage> PostFormAsync(this HttpClient client, string path, params (string Name, string Value)[] form) =>
        client.PostAsync(path, new FormUrlEncodedContent(form.Select(p => KeyValuePair.Create(p.Name, p.Value))));

    /// <summary>GET of an XML resource; asserts 200, an XML content type and validity against UWS.xsd.</summary>
    public static Task<XDocument> GetUwsXmlAsync(this HttpClient client, string path) =>
        client.GetXmlAsync(path, SharedSchemas.AssertValidUws);

    /// <summary>GET of an XML resource; asserts 200, an XML content type, and whatever <paramref name="validate"/> checks.</summary>
    public static async Task<XDocument> GetXmlAsync(this HttpClient client, string path, Action<XDocument> validate)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/xml"));
        var document = XDocument.Parse(body);
        validate(document);
        return document;
    }

    public static async Task<XElement> GetJobAsync(this HttpClient client, string jobId) =>
        (await client.GetUwsXmlAsync($"/jobs/{jobId}")).Root!;

    public static async Task<(HttpStatusCode Status, string Body)> GetTextAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Blocks (UWS WAIT) until the job reaches a phase outside <paramref name="passing"/>, or fails at the deadline.</summary>
    public static async Task<XElement> WaitWhileAsync(this HttpClient client, string jobId, TimeSpan deadline, params string[] passing)
    {
        var until = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var job = await client.GetJobAsync($"{jobId}?WAIT=5");
            if (!passing.Contains(PhaseOf(job)))
            {
                return job;
            }
            Assert.That(until.Elapsed, Is.LessThan(deadline), $"Job {jobId} is still {PhaseOf(job)} after {deadline}.");
        }
    }

    /// <summary>Waits until the job has ended (COMPLETED, ERROR or ABORTED).</summary>
    public static Task<XElement> WaitForEndAsync(this HttpClient client, string jobId, TimeSpan deadline) =>
        client.WaitWhileAsync(jobId, deadline, "PENDING", "QUEUED", "EXECUTING", "HELD", "SUSPENDED");

    public static string PhaseOf(XElement job) => job.Element(Uws + "phase")!.Value;

    public static async Task<string> PhaseAsync(this HttpClient client, string jobId)
    {
        var (status, body) = await client.GetTextAsync($"/jobs/{jobId}/phase");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        return body;
    }
}
