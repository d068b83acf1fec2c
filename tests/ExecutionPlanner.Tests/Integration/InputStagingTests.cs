using System.Text;
using System.Text.Json.Nodes;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.PlannerClient;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// Inputs the server fetches before the container starts: a planner data resource at an http URL, and
/// a UWS job's input given by reference, served from 127.0.0.1 (the only host this server allows).
/// </summary>
[Category("PostgreSQL")]
[Category("Docker")]
[Parallelizable(ParallelScope.Children)]
public sealed class InputStagingTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    static readonly byte[] Catalogue = Encoding.UTF8.GetBytes("ra,dec\n10.5,-3.25\n");
    UwsTestServer server = null!;
    LocalHttpServer files = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        await ExecutionServer.RequireDockerAsync();
        files = new LocalHttpServer(new Dictionary<string, byte[]> { ["/cat.csv"] = Catalogue });
        server = await ExecutionServer.StartAsync(new Dictionary<string, string?>
        {
            ["Planner:PlatformCores"] = "1000",
            ["Planner:PlatformMemory"] = "4000Gi",
            ["Jobs:AllowedInputHosts:0"] = "127.0.0.1",
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
        if (files is not null)
        {
            await files.DisposeAsync();
        }
    }

    [Test]
    public async Task A_planner_data_resource_is_in_uws_inputs_when_the_container_starts()
    {
        using var client = server.NewOwner();
        var task = DockerTask(coresMin: 0.5m, coresMax: 0.5m, memoryMin: 0.25m, memoryMax: 0.25m, duration: "PT2M");
        task["executable"]!["command"] = new JsonArray("sh", "-c", "cp /uws/inputs/catalogue.csv /uws/results/copy.csv");
        task["data"] = JsonNode.Parse($$"""
            [ { "kind": "https://www.purl.org/ivoa.net/Calycopis-openapi/schema/v1.0/kinds/data/simple-data-resource.yaml",
                "meta": { "name": "catalogue.csv" }, "location": "{{files.Url("cat.csv")}}" } ]
            """);
        var set = await client.AskAsync(task);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("YES"), set.ToJsonString());
        var accepted = await client.AcceptAsync(Href(Offers(set)[0]));
        var jobId = new Uri(accepted["job"]!.GetValue<string>()).Segments[^1];
        var job = await client.WaitForEndAsync(jobId, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString());
        Assert.That(await client.GetTextAsync($"/jobs/{jobId}/results/copy.csv"), Is.EqualTo((System.Net.HttpStatusCode.OK, Encoding.UTF8.GetString(Catalogue))));
    }

    [Test]
    public async Task A_uws_input_given_by_reference_is_fetched_by_the_server()
    {
        using var client = server.NewOwner();
        var jobId = await client.CreateJobAsync(("image", Image), ("cmd", "sh"), ("cmd", "-c"), ("cmd", "wc -l < /uws/inputs/cat.csv > /uws/results/lines"),
            ("input", $"cat.csv={files.Url("cat.csv")}"), ("PHASE", "RUN"));
        var job = await client.WaitForEndAsync(jobId, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString());
        Assert.That((await client.GetTextAsync($"/jobs/{jobId}/results/lines")).Body.Trim(), Is.EqualTo("2"));
    }

    [TestCase("missing.csv", "127.0.0.1", "404")]
    [TestCase("cat.csv", "localhost", "Jobs:AllowedInputHosts")]
    public async Task A_failed_fetch_ends_the_job_in_error_naming_the_input_and_why(string path, string host, string why)
    {
        using var client = server.NewOwner();
        var url = files.Url(path).Replace("127.0.0.1", host, StringComparison.Ordinal);
        var jobId = await client.CreateJobAsync(("image", Image), ("cmd", "true"), ("input", $"data.csv={url}"), ("PHASE", "RUN"));
        var job = await client.WaitForEndAsync(jobId, Deadline);
        Assert.That(PhaseOf(job), Is.EqualTo("ERROR"), job.ToString());
        var (_, summary) = await client.GetTextAsync($"/jobs/{jobId}/error");
        Assert.That(summary, Does.Contain("data.csv").And.Contain(why));
    }
}
