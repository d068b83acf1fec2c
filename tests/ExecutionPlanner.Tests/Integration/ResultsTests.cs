using System.Net;
using System.Text;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

public sealed class ResultsTests : ServerFixture
{
    static readonly byte[] Text = Encoding.UTF8.GetBytes("hello\nwörld\n");
    static readonly byte[] Binary = [.. Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7))];

    async Task<(HttpClient Client, string Id)> CompletedJobWithTwoResultsAsync()
    {
        var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        await JobRows.AddResultAsync(id, "stdout.txt", "text/plain; charset=utf-8", Text);
        await JobRows.AddResultAsync(id, "out put.fits", "application/fits", Binary);
        await JobRows.SetPhaseAsync(id, "COMPLETED");
        return (client, id);
    }

    [Test]
    public async Task The_results_list_is_valid_and_names_each_result_with_its_size_and_mime_type()
    {
        var (client, id) = await CompletedJobWithTwoResultsAsync();
        using (client)
        {
            var results = (await client.GetUwsXmlAsync($"/jobs/{id}/results")).Root!.Elements(Uws + "result")
                .ToDictionary(r => r.Attribute("id")!.Value);
            Assert.That(results.Keys, Is.EquivalentTo(new[] { "stdout.txt", "out put.fits" }));
            Assert.Multiple(() =>
            {
                Assert.That(results["stdout.txt"].Attribute("size")!.Value, Is.EqualTo(Text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                Assert.That(results["stdout.txt"].Attribute("mime-type")!.Value, Is.EqualTo("text/plain; charset=utf-8"));
                Assert.That(results["out put.fits"].Attribute("size")!.Value, Is.EqualTo("70000"));
                Assert.That(results["out put.fits"].Attribute("mime-type")!.Value, Is.EqualTo("application/fits"));
                Assert.That(new Uri(results["out put.fits"].Attribute(Xlink + "href")!.Value).AbsolutePath,
                    Is.EqualTo($"/jobs/{id}/results/out%20put.fits"));
            });
        }
    }

    [Test]
    public async Task The_job_document_lists_the_same_results()
    {
        var (client, id) = await CompletedJobWithTwoResultsAsync();
        using (client)
        {
            var job = await client.GetJobAsync(id);
            Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"));
            Assert.That(job.Element(Uws + "results")!.Elements(Uws + "result").Select(r => r.Attribute("id")!.Value),
                Is.EquivalentTo(new[] { "stdout.txt", "out put.fits" }));
        }
    }

    [Test]
    public async Task Each_result_is_served_with_its_bytes_and_mime_type()
    {
        var (client, id) = await CompletedJobWithTwoResultsAsync();
        using (client)
        {
            foreach (var result in (await client.GetUwsXmlAsync($"/jobs/{id}/results")).Root!.Elements(Uws + "result"))
            {
                using var response = await client.GetAsync(new Uri(result.Attribute(Xlink + "href")!.Value));
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(response.Content.Headers.ContentType?.ToString(), Is.EqualTo(result.Attribute("mime-type")!.Value));
                var expected = result.Attribute("id")!.Value == "stdout.txt" ? Text : Binary;
                Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(expected));
            }
        }
    }

    [Test]
    public async Task An_unknown_result_gets_404_with_a_message()
    {
        var (client, id) = await CompletedJobWithTwoResultsAsync();
        using (client)
        {
            var (status, body) = await client.GetTextAsync($"/jobs/{id}/results/nope.txt");
            Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(body, Does.Contain("nope.txt"));
        }
    }

    [Test]
    public async Task Another_owner_gets_404_for_the_results()
    {
        var (client, id) = await CompletedJobWithTwoResultsAsync();
        using (client)
        {
            using var other = Server.NewOwner();
            Assert.That((await other.GetTextAsync($"/jobs/{id}/results")).Status, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await other.GetTextAsync($"/jobs/{id}/results/stdout.txt")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        }
    }

    [Test]
    public async Task A_job_without_results_has_an_empty_valid_results_list()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        Assert.That((await client.GetUwsXmlAsync($"/jobs/{id}/results")).Root!.Elements(), Is.Empty);
    }
}
