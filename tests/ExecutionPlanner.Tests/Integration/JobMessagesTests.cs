using System.Net;
using System.Xml.Linq;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>A job's messages say what the service did to its request, in a jobInfo that stays valid against UWS.xsd.</summary>
public sealed class JobMessagesTests : ServerFixture
{
    static readonly XNamespace Ep = UwsXml.JobInfoNs;

    [Test]
    public async Task A_job_without_anything_to_say_has_no_job_info()
    {
        using var client = Server.NewOwner();
        var job = await client.GetJobAsync(await client.CreateJobAsync());
        Assert.That(job.Element(Uws + "jobInfo"), Is.Null);
    }

    [Test]
    public async Task Clamped_control_values_at_creation_are_said_in_messages()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("EXECUTIONDURATION", "0"), ("DESTRUCTION", "2999-01-01T00:00:00Z"));
        var job = await client.GetJobAsync(id);
        var messages = job.Element(Uws + "jobInfo")!.Elements(Ep + "message").ToList();
        Assert.That(messages.Select(m => m.Value), Is.EqualTo(new[]
        {
            $"EXECUTIONDURATION 0 (unlimited) was set to {job.Element(Uws + "executionDuration")!.Value} s, the longest this service allows.",
            $"DESTRUCTION is {job.Element(Uws + "destruction")!.Value}, the latest this service allows (creation + 30 days).",
        }));
        Assert.That(messages.Select(m => m.Attribute("time")!.Value), Has.All.EqualTo(job.Element(Uws + "creationTime")!.Value));
    }

    [Test]
    public async Task A_clamped_post_to_executionduration_adds_a_message_and_an_accepted_one_does_not()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        using (var accepted = await client.PostFormAsync($"/jobs/{id}/executionduration", ("EXECUTIONDURATION", "60")))
        {
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        Assert.That((await client.GetJobAsync(id)).Element(Uws + "jobInfo"), Is.Null);
        using (var clamped = await client.PostFormAsync($"/jobs/{id}/executionduration", ("EXECUTIONDURATION", "99999999")))
        {
            Assert.That(clamped.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        var message = (await client.GetJobAsync(id)).Element(Uws + "jobInfo")!.Element(Ep + "message")!.Value;
        Assert.That(message, Does.StartWith("EXECUTIONDURATION 99999999 s was set to"));
    }
}
