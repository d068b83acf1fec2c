using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// Values that used to break documents (issue 8, item 6): each is refused at once with a 400 that says
/// why, or stored and served exactly; and rows stored before that rule still give valid documents.
/// </summary>
public sealed class HostileValueTests : ServerFixture
{
    const int MaxUploadBytes = 64 * 1024;

    protected override Task<UwsTestServer> StartServerAsync() =>
        UwsTestServer.StartAsync(new Dictionary<string, string?> { ["Jobs:MaxUploadBytes"] = MaxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(status), body);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
            Assert.That(body, Does.Contain(expected).IgnoreCase);
        });
    }

    static async Task AssertListHoldsOnlyAsync(HttpClient client, params string[] ids) =>
        Assert.That((await client.GetUwsXmlAsync("/jobs")).Root!.Elements(Uws + "jobref").Select(j => j.Attribute("id")!.Value),
            Is.EquivalentTo(ids));

    [TestCase("RUNID", "run\u0001")]
    [TestCase("RUNID", "\u001b[31mred")]
    [TestCase("cmd", "echo \u0000")]
    [TestCase("cmd", "a\uFFFEb")]
    [TestCase("env", "A=\u0008")]
    [TestCase("image", "executionplanner/busybox:1\u0007")]
    [TestCase("DESTRUCTION", "2030-01-01\u0000")]
    public async Task A_character_XML_cannot_carry_is_refused_at_creation(string name, string value)
    {
        using var client = Server.NewOwner();
        var form = name == "image" ? new[] { (name, value) } : new[] { ("image", Image), (name, value) };
        using var response = await client.PostFormAsync("/jobs", form);
        // The form reader refuses a NUL itself; the rest is ours, naming XML 1.0.
        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, value.Contains('\0', StringComparison.Ordinal) ? "invalid characters" : "XML 1.0");
        await AssertListHoldsOnlyAsync(client);
    }

    [Test]
    public async Task Invalid_UTF_8_is_stored_and_served_as_it_was_read_and_a_NUL_in_the_path_names_nothing()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "echo"));
        // An encoded surrogate (ED A0 80) and a lone continuation byte are not UTF-8: the form reader keeps
        // such escapes undecoded, and what it read is stored and shown exactly.
        using (var response = await client.PostAsync($"/jobs/{id}/parameters",
                   new StringContent("cmd=x%ED%A0%80y%80z", Encoding.ASCII, "application/x-www-form-urlencoded")))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await response.Content.ReadAsStringAsync());
        }
        var cmd = (await client.GetTextAsync($"/jobs/{id}/parameters/cmd")).Body;
        Assert.That(cmd, Does.StartWith("x").And.EndWith("z"));
        Assert.That((await client.GetJobAsync(id)).Descendants(Uws + "parameter").Single(p => p.Attribute("id")!.Value == "cmd").Value, Is.EqualTo(cmd));
        // Kestrel itself refuses a NUL in the path (400, before any endpoint); an encoded surrogate is kept
        // percent-encoded, so it reaches the endpoints as plain text that names nothing.
        using (var response = await client.GetAsync($"/jobs/{id}/results/%00"))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }
        foreach (var path in new[] { $"/jobs/{id}/results/%ED%A0%80", $"/jobs/%ED%A0%80{id}/phase", $"/jobs/{id}/parameters/a%ED%A0%80",
                     "/planner/offers/%ED%A0%80", "/planner/offersets/%ED%B0%80" })
        {
            using var response = await client.GetAsync(path);
            await AssertRefusedAsync(response, HttpStatusCode.NotFound, "no");
        }
    }

    [Test]
    public async Task Legal_but_awkward_characters_are_stored_and_served_exactly()
    {
        using var client = Server.NewOwner();
        string[] cmd = ["sh", "-c", "printf 'a\tb\r\nc' <&> \"q\" 'é' \U0001F600 \u0085\u007f \uFFFD ]]> --"];
        const string RunId = "run <&>\t\r\n\"'\U0001F600";
        var id = await client.CreateJobAsync([("RUNID", RunId), .. cmd.Select(c => ("cmd", c))]);

        var job = await client.GetJobAsync(id);
        Assert.That(job.Element(Uws + "runId")!.Value, Is.EqualTo(RunId));
        Assert.That(job.Element(Uws + "parameters")!.Elements(Uws + "parameter").Where(p => p.Attribute("id")!.Value == "cmd").Select(p => p.Value),
            Is.EqualTo(cmd));
        Assert.That((await client.GetTextAsync($"/jobs/{id}/parameters/cmd")).Body, Is.EqualTo(string.Join('\n', cmd)));
        var listed = (await client.GetUwsXmlAsync("/jobs")).Root!.Element(Uws + "jobref")!;
        Assert.That(listed.Element(Uws + "runId")!.Value, Is.EqualTo(RunId));
    }

    [TestCase("99999999999999999999999999999")]
    [TestCase("79228162514264337593543950335Ti")]
    [TestCase("9223372036854775807Ki")]
    [TestCase("9223372036854775808")]
    [TestCase("1e30")]
    [TestCase("-1Gi")]
    public async Task A_memory_value_past_any_range_is_refused(string memory)
    {
        using var client = Server.NewOwner();
        using var response = await client.PostFormAsync("/jobs", ("image", Image), ("memory", memory));
        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "memory");
    }

    [TestCase("text/csvé")]
    [TestCase("text/\u0000csv")]
    [TestCase("text/csv\u0001")]
    [TestCase("text")]
    [TestCase("täxt/plain")]
    public async Task An_upload_whose_content_type_cannot_be_served_back_is_refused(string contentType)
    {
        using var client = Server.NewOwner();
        var part = new ByteArrayContent("a,b\n"u8.ToArray());
        part.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var content = new MultipartFormDataContent { { new StringContent(Image), "image" }, { part, "data.csv", "data.csv" } };
        using var response = await client.PostAsync("/jobs", content);
        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "Content-Type");
        await AssertListHoldsOnlyAsync(client);
    }

    [Test]
    public async Task A_NUL_in_a_multipart_parts_raw_content_type_is_refused()
    {
        using var client = Server.NewOwner();
        var body = "--b\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\n" + Image + "\r\n" +
                   "--b\r\nContent-Disposition: form-data; name=\"in.txt\"; filename=\"in.txt\"\r\nContent-Type: text/pl\0ain\r\n\r\nhello\r\n--b--\r\n";
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        using var response = await client.PostAsync("/jobs", content);
        Assert.That((int)response.StatusCode, Is.EqualTo(400), await response.Content.ReadAsStringAsync());
        await AssertListHoldsOnlyAsync(client);
    }

    [Test]
    public async Task A_body_over_the_upload_limit_gets_413_whatever_its_type()
    {
        using var client = Server.NewOwner();
        var big = new string('x', MaxUploadBytes + 10);
        using (var response = await client.PostAsync("/jobs", new StringContent($"image={big}", Encoding.ASCII, "application/x-www-form-urlencoded")))
        {
            await AssertRefusedAsync(response, HttpStatusCode.RequestEntityTooLarge, "bytes");
        }
        using (var content = new MultipartFormDataContent { { new StringContent(Image), "image" }, { new ByteArrayContent(new byte[MaxUploadBytes]), "in.bin", "in.bin" } })
        using (var response = await client.PostAsync("/jobs", content))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), await response.Content.ReadAsStringAsync());
        }
        // Chunked: no Content-Length to refuse up front; Kestrel stops it at the limit.
        var chunked = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes($"image={big}")));
        chunked.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded");
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/jobs") { Content = chunked })
        {
            request.Headers.TransferEncodingChunked = true;
            using var response = await client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), await response.Content.ReadAsStringAsync());
        }
        await AssertListHoldsOnlyAsync(client);
    }

    [TestCase("")]
    [TestCase("/phase")]
    [TestCase("/executionduration")]
    [TestCase("/destruction")]
    [TestCase("/quote")]
    [TestCase("/owner")]
    [TestCase("/error")]
    [TestCase("/parameters")]
    [TestCase("/parameters/cmd")]
    [TestCase("/parameters/in.txt")]
    [TestCase("/results")]
    [TestCase("/results/out.txt")]
    [TestCase("/results/none")]
    [TestCase("?WAIT=0")]
    public async Task HEAD_answers_like_GET_without_a_body(string below)
    {
        using var client = Server.NewOwner();
        using var content = new MultipartFormDataContent
        {
            { new StringContent(Image), "image" }, { new StringContent("cat"), "cmd" }, { new StringContent("hello"), "in.txt", "in.txt" },
        };
        using var created = await client.PostAsync("/jobs", content);
        var id = created.Headers.Location!.Segments[^1];
        await JobRows.AddResultAsync(id, "out.txt", "text/plain", "result"u8.ToArray());
        await AssertHeadLikeGetAsync(client, $"/jobs/{id}{below}");
    }

    [TestCase("/jobs")]
    [TestCase("/jobs?PHASE=PENDING&LAST=2")]
    [TestCase("/jobs/nosuchjob0000000")]
    [TestCase("/availability")]
    [TestCase("/capabilities")]
    [TestCase("/health/live")]
    [TestCase("/health/ready")]
    [TestCase("/planner/offersets/nosuchset")]
    [TestCase("/planner/offers/nosuchoffer")]
    [TestCase("/nothing/here")]
    public async Task HEAD_answers_like_GET_on_every_other_resource(string path)
    {
        using var client = Server.NewOwner();
        await AssertHeadLikeGetAsync(client, path);
    }

    [Test]
    public async Task HEAD_on_a_POST_only_resource_gets_405_naming_HEAD()
    {
        using var client = Server.NewOwner();
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/planner/offersets"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
    }

    static async Task AssertHeadLikeGetAsync(HttpClient client, string path)
    {
        using var get = await client.GetAsync(path);
        var getBody = await get.Content.ReadAsByteArrayAsync();
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        var headBody = await head.Content.ReadAsByteArrayAsync();
        Assert.Multiple(() =>
        {
            Assert.That(head.StatusCode, Is.EqualTo(get.StatusCode), path);
            Assert.That(head.Content.Headers.ContentType?.ToString(), Is.EqualTo(get.Content.Headers.ContentType?.ToString()), path);
            Assert.That(headBody, Is.Empty, path);
            // A Content-Length, if sent, is the GET body's (HttpClient's ContentLength would compute 0 when none is sent).
            if (head.Content.Headers.NonValidated.TryGetValues("Content-Length", out var length))
            {
                Assert.That(length.ToString(), Is.EqualTo(getBody.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)), path);
            }
        });
    }

    /// <summary>
    /// Rows written before the input rule (or text a container wrote) may hold any character PostgreSQL
    /// stores: every document still validates, with U+FFFD in place of what XML cannot carry, and the
    /// plain-text resources and downloads still serve.
    /// </summary>
    [Test]
    public async Task Stored_values_XML_cannot_carry_still_give_valid_documents_and_lists()
    {
        using var client = Server.NewOwner(out var owner);
        var id = JobRows.NewId();
        await JobRows.ExecuteAsync("""
            INSERT INTO jobs (id, owner_id, run_id, phase, phase_changed_at, creation_time, execution_duration, destruction, parameters,
                              error_summary, error_detail)
            VALUES ($1, $2, $3, 'ERROR', now(), now(), 60, now() + interval '1 day', $4::jsonb, $5, $6)
            """,
            id, owner, "run\u0001\u001b[31m\uFFFF", """[{"Name":"image","Value":"executionplanner/busybox:1"},{"Name":"cmd","Value":"a\u0007b\u001b[0m"}]""",
            "failed: \u001b[31mred\u001b[0m", "stderr \u0002");
        await JobRows.AddResultAsync(id, "bad\u0001name.txt", "text/pla\u00efn", "x"u8.ToArray());
        await JobRows.ExecuteAsync("INSERT INTO job_files (job_id, kind, name, mime_type, size, content) VALUES ($1, 'Input', 'in.txt', $2, 1, '\\x41')",
            id, "text/\u0001plain");

        var job = await client.GetJobAsync(id);
        Assert.That(job.Element(Uws + "runId")!.Value, Is.EqualTo("run\uFFFD\uFFFD[31m\uFFFD"));
        Assert.That(job.Element(Uws + "errorSummary")!.Element(Uws + "message")!.Value, Is.EqualTo("failed: \uFFFD[31mred\uFFFD[0m"));
        Assert.That(job.Descendants(Uws + "parameter").Single(p => p.Attribute("id")!.Value == "cmd").Value, Is.EqualTo("a\uFFFDb\uFFFD[0m"));
        await client.GetUwsXmlAsync($"/jobs/{id}/parameters");
        await client.GetUwsXmlAsync($"/jobs/{id}/results");
        await client.GetUwsXmlAsync("/jobs");
        Assert.That((await client.GetTextAsync($"/jobs/{id}/parameters/cmd")).Body, Is.EqualTo("a\u0007b\u001b[0m"));
        Assert.That((await client.GetTextAsync($"/jobs/{id}/error")).Body, Is.EqualTo("stderr \u0002"));
        using var input = await client.GetAsync($"/jobs/{id}/parameters/in.txt");
        Assert.That(input.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(input.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/octet-stream"));
        using var result = await client.GetAsync($"/jobs/{id}/results/{Uri.EscapeDataString("bad\u0001name.txt")}");
        Assert.That(result.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await result.Content.ReadAsStringAsync(), Is.EqualTo("x"));
    }
}
