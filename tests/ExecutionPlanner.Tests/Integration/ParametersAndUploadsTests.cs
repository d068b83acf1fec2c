using System.Net;
using System.Net.Http.Headers;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

[Category("PostgreSQL")]
[Parallelizable(ParallelScope.Children)]
public sealed class ParametersAndUploadsTests
{
    UwsTestServer server = null!;
    UwsTestServer small = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        server = await UwsTestServer.StartAsync();
        small = await UwsTestServer.StartAsync(new Dictionary<string, string?> { ["Jobs:MaxUploadBytes"] = "4096" });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await server.DisposeAsync();
        await small.DisposeAsync();
    }

    static MultipartFormDataContent Multipart(string image, params (string Name, byte[] Content)[] files)
    {
        var content = new MultipartFormDataContent { { new StringContent(image), "image" }, { new StringContent("cat"), "cmd" } };
        foreach (var (name, bytes) in files)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            content.Add(part, name, name);
        }
        return content;
    }

    static async Task<List<(string Id, string Value)>> ParametersAsync(HttpClient client, string id) =>
        (await client.GetUwsXmlAsync($"/jobs/{id}/parameters")).Root!.Elements(Uws + "parameter")
            .Select(p => (p.Attribute("id")!.Value, p.Value)).ToList();

    [Test]
    public async Task An_uploaded_file_is_a_by_reference_parameter_whose_content_is_served_byte_for_byte()
    {
        using var client = server.NewOwner();
        var bytes = new byte[] { 0x61, 0x2c, 0x62, 0x0a, 0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x31 };
        using var content = Multipart(Image, ("data.csv", bytes));
        using var create = await client.PostAsync("/jobs", content);
        Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await create.Content.ReadAsStringAsync());
        var id = create.Headers.Location!.Segments[^1];

        var parameter = (await client.GetJobAsync(id)).Element(Uws + "parameters")!.Elements(Uws + "parameter")
            .Single(p => p.Attribute("id")!.Value == "data.csv");
        var href = new Uri(parameter.Value);
        Assert.That(parameter.Attribute("byReference")?.Value, Is.EqualTo("true"));
        Assert.That(href.AbsolutePath, Is.EqualTo($"/jobs/{id}/parameters/data.csv"));
        using var file = await client.GetAsync(href);
        Assert.That(file.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(file.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
        Assert.That(await file.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
    }

    [Test]
    public async Task Posting_parameters_while_pending_replaces_a_name_as_a_whole_and_keeps_the_others()
    {
        using var client = server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "echo"), ("cmd", "a"), ("env", "X=1"));
        using (var post = await client.PostFormAsync($"/jobs/{id}/parameters", ("cmd", "printenv")))
        {
            Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
            Assert.That(post.Headers.Location!.AbsolutePath, Is.EqualTo($"/jobs/{id}"));
        }
        var parameters = await ParametersAsync(client, id);
        Assert.That(parameters.Where(p => p.Id == "cmd").Select(p => p.Value), Is.EqualTo(new[] { "printenv" }));
        Assert.That(parameters.Where(p => p.Id != "cmd"), Is.EquivalentTo(new[] { ("image", Image), ("env", "X=1") }));
        Assert.That(await client.GetTextAsync($"/jobs/{id}/parameters/cmd"), Is.EqualTo((HttpStatusCode.OK, "printenv")));
    }

    [Test]
    public async Task Parameters_cannot_change_after_RUN()
    {
        using var client = server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "echo"));
        (await client.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "RUN"))).Dispose();
        using var post = await client.PostFormAsync($"/jobs/{id}/parameters", ("cmd", "rm"));
        Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await post.Content.ReadAsStringAsync(), Does.Contain("QUEUED"));
        Assert.That((await ParametersAsync(client, id)).Single(p => p.Id == "cmd").Value, Is.EqualTo("echo"));
    }

    [TestCase("imgae", Image)]
    [TestCase("cores", "99")]
    [TestCase("PHASE", "RUN")]
    [TestCase("env", "no equals")]
    public async Task A_refused_parameter_change_gets_400_and_nothing_stored_changes(string name, string value)
    {
        using var client = server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "echo"), ("cores", "1"));
        var before = await ParametersAsync(client, id);
        using var post = await client.PostFormAsync($"/jobs/{id}/parameters", ("cmd", "changed"), (name, value));
        Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await post.Content.ReadAsStringAsync(), Is.Not.Empty);
        Assert.That(await ParametersAsync(client, id), Is.EqualTo(before));
        Assert.That(await client.PhaseAsync(id), Is.EqualTo("PENDING"));
    }

    [TestCase("ubuntu:24.04")]
    [TestCase("docker.io/library/alpine:latest")]
    public async Task A_disallowed_image_gets_400_naming_it(string image)
    {
        using var client = server.NewOwner();
        using var create = await client.PostFormAsync("/jobs", ("image", image));
        Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await create.Content.ReadAsStringAsync(), Does.Contain($"'{image}'").And.Contain("not allowed"));
        Assert.That((await client.GetUwsXmlAsync("/jobs")).Root!.Elements(), Is.Empty);
    }

    [TestCase("../data.csv")]
    [TestCase("..")]
    [TestCase("dir/data.csv")]
    [TestCase(".hidden")]
    [TestCase("image")]
    public async Task An_upload_whose_name_is_not_a_plain_file_name_gets_400(string name)
    {
        using var client = server.NewOwner();
        using var content = Multipart(Image, (name, [1, 2, 3]));
        using var create = await client.PostAsync("/jobs", content);
        Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await create.Content.ReadAsStringAsync(), Does.Contain(name));
        Assert.That((await client.GetUwsXmlAsync("/jobs")).Root!.Elements(), Is.Empty);
    }

    [Test]
    public async Task The_same_file_name_twice_gets_400()
    {
        using var client = server.NewOwner();
        using var content = Multipart(Image, ("a.csv", [1]), ("a.csv", [2]));
        using var create = await client.PostAsync("/jobs", content);
        Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await create.Content.ReadAsStringAsync(), Does.Contain("twice"));
    }

    [Test]
    public async Task An_upload_over_MaxUploadBytes_gets_413_and_no_job_is_created()
    {
        using var client = small.NewOwner();
        using var content = Multipart(Image, ("big.csv", new byte[10_000]));
        using var create = await client.PostAsync("/jobs", content);
        Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(await create.Content.ReadAsStringAsync(), Does.Contain("4096"));
        Assert.That((await client.GetUwsXmlAsync("/jobs")).Root!.Elements(), Is.Empty);
    }

    [Test]
    public async Task An_upload_under_MaxUploadBytes_is_accepted_by_the_small_server()
    {
        using var client = small.NewOwner();
        using var content = Multipart(Image, ("ok.csv", new byte[1000]));
        using var create = await client.PostAsync("/jobs", content);
        Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await create.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Uploading_a_file_while_pending_replaces_the_file_of_that_name()
    {
        using var client = server.NewOwner();
        using var first = Multipart(Image, ("data.csv", [1, 2, 3]));
        using var create = await client.PostAsync("/jobs", first);
        var id = create.Headers.Location!.Segments[^1];
        using var second = new MultipartFormDataContent { { new ByteArrayContent([9, 9]), "data.csv", "data.csv" } };
        using (var post = await client.PostAsync($"/jobs/{id}/parameters", second))
        {
            Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await post.Content.ReadAsStringAsync());
        }
        using var file = await client.GetAsync($"/jobs/{id}/parameters/data.csv");
        Assert.That(await file.Content.ReadAsByteArrayAsync(), Is.EqualTo(new byte[] { 9, 9 }));
        Assert.That((await ParametersAsync(client, id)).Count(p => p.Id == "data.csv"), Is.EqualTo(1));
    }
}
