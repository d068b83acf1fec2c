using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>Malformed requests: each gets a 4xx (never a 5xx) with a text message, and leaves existing jobs intact.</summary>
public sealed class BadInputTests : ServerFixture
{
    const string Unknown = "nosuchjob0000000";

    static HttpRequestMessage Raw(HttpMethod method, string path, string body, string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return new HttpRequestMessage(method, path) { Content = content };
    }

    static HttpRequestMessage Form(HttpMethod method, string path, params (string Name, string Value)[] pairs) =>
        new(method, path) { Content = new FormUrlEncodedContent(pairs.Select(p => KeyValuePair.Create(p.Name, p.Value))) };

    /// <summary>Name, request builder (given an existing job's id) and the expected status.</summary>
    static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData Case(string name, Func<string, HttpRequestMessage> request, HttpStatusCode status) =>
            new TestCaseData(request, status).SetName($"Bad_input_{name}_gets_{(int)status}");

        yield return Case("garbage_multipart_boundary", _ => Raw(HttpMethod.Post, "/jobs",
            "--other\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nx\r\n--other--\r\n", "multipart/form-data; boundary=expected"),
            HttpStatusCode.BadRequest);
        yield return Case("multipart_without_boundary", _ => Raw(HttpMethod.Post, "/jobs", "whatever", "multipart/form-data"),
            HttpStatusCode.BadRequest);
        yield return Case("truncated_multipart", _ => Raw(HttpMethod.Post, "/jobs",
            "--b\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nexecutionplanner/busybox:1", "multipart/form-data; boundary=b"),
            HttpStatusCode.BadRequest);
        yield return Case("invalid_percent_encoding_in_the_image", _ => Raw(HttpMethod.Post, "/jobs",
            "image=executionplanner%ZZbusybox%", "application/x-www-form-urlencoded"), HttpStatusCode.BadRequest);
        yield return Case("parameter_value_over_MaxParameterValueLength", _ => Form(HttpMethod.Post, "/jobs",
            ("image", Image), ("cmd", new string('x', 70_000))), HttpStatusCode.BadRequest);
        yield return Case("JSON_body", _ => Raw(HttpMethod.Post, "/jobs", "{\"image\":\"executionplanner/busybox:1\"}", "application/json"),
            HttpStatusCode.UnsupportedMediaType);
        yield return Case("JSON_body_on_phase", id => Raw(HttpMethod.Post, $"/jobs/{id}/phase", "{\"PHASE\":\"RUN\"}", "application/json"),
            HttpStatusCode.UnsupportedMediaType);
        yield return Case("non_ASCII_parameter_name", _ => Form(HttpMethod.Post, "/jobs", ("image", Image), ("çmd", "x")), HttpStatusCode.BadRequest);
        yield return Case("empty_parameter_name", _ => Raw(HttpMethod.Post, "/jobs",
            $"image={Uri.EscapeDataString(Image)}&=x", "application/x-www-form-urlencoded"), HttpStatusCode.BadRequest);
        yield return Case("PHASE_ABORT_on_create", _ => Form(HttpMethod.Post, "/jobs", ("image", Image), ("PHASE", "ABORT")), HttpStatusCode.BadRequest);
        yield return Case("DELETE_on_the_phase", id => new HttpRequestMessage(HttpMethod.Delete, $"/jobs/{id}/phase"), HttpStatusCode.MethodNotAllowed);
        yield return Case("PUT_on_the_job", id => Form(HttpMethod.Put, $"/jobs/{id}", ("PHASE", "RUN")), HttpStatusCode.MethodNotAllowed);
        yield return Case("DELETE_on_the_job_list", _ => new HttpRequestMessage(HttpMethod.Delete, "/jobs"), HttpStatusCode.MethodNotAllowed);
        yield return Case("POST_on_the_owner", id => Form(HttpMethod.Post, $"/jobs/{id}/owner", ("OWNER", "me")), HttpStatusCode.MethodNotAllowed);
        yield return Case("POST_to_the_job_without_ACTION", id => Form(HttpMethod.Post, $"/jobs/{id}", ("cmd", "x")), HttpStatusCode.BadRequest);
        yield return Case("ACTION_FOO", id => Form(HttpMethod.Post, $"/jobs/{id}", ("ACTION", "FOO")), HttpStatusCode.BadRequest);
        yield return Case("PHASE_RUN_and_ABORT_together", id => Form(HttpMethod.Post, $"/jobs/{id}/phase", ("PHASE", "RUN"), ("PHASE", "ABORT")),
            HttpStatusCode.BadRequest);
        yield return Case("PHASE_missing", id => Form(HttpMethod.Post, $"/jobs/{id}/phase", ("phase_", "RUN")), HttpStatusCode.BadRequest);
        yield return Case("EXECUTIONDURATION_twice_different", id => Form(HttpMethod.Post, $"/jobs/{id}/executionduration",
            ("EXECUTIONDURATION", "10"), ("EXECUTIONDURATION", "20")), HttpStatusCode.BadRequest);
        yield return Case("DESTRUCTION_garbage", id => Form(HttpMethod.Post, $"/jobs/{id}/destruction", ("DESTRUCTION", "\u0000")),
            HttpStatusCode.BadRequest);
        yield return Case("WAIT_with_an_invalid_PHASE", id => new HttpRequestMessage(HttpMethod.Get, $"/jobs/{id}?WAIT=5&PHASE=SOON"),
            HttpStatusCode.BadRequest);
        yield return Case("control_parameter_on_parameters", id => Form(HttpMethod.Post, $"/jobs/{id}/parameters", ("DESTRUCTION", "2030-01-01")),
            HttpStatusCode.BadRequest);
        yield return Case("no_parameters_on_parameters", id => Form(HttpMethod.Post, $"/jobs/{id}/parameters"), HttpStatusCode.BadRequest);
        foreach (var path in new[] { "", "/phase", "/executionduration", "/destruction", "/quote", "/owner", "/error",
                     "/parameters", "/parameters/cmd", "/results", "/results/out.txt" })
        {
            yield return Case($"GET_unknown_job{path.Replace('/', '_')}", _ => new HttpRequestMessage(HttpMethod.Get, $"/jobs/{Unknown}{path}"),
                HttpStatusCode.NotFound);
        }
        yield return Case("POST_phase_of_unknown_job", _ => Form(HttpMethod.Post, $"/jobs/{Unknown}/phase", ("PHASE", "RUN")), HttpStatusCode.NotFound);
        yield return Case("POST_executionduration_of_unknown_job", _ => Form(HttpMethod.Post, $"/jobs/{Unknown}/executionduration",
            ("EXECUTIONDURATION", "5")), HttpStatusCode.NotFound);
        yield return Case("POST_destruction_of_unknown_job", _ => Form(HttpMethod.Post, $"/jobs/{Unknown}/destruction",
            ("DESTRUCTION", "2030-01-01T00:00:00Z")), HttpStatusCode.NotFound);
        yield return Case("POST_parameters_of_unknown_job", _ => Form(HttpMethod.Post, $"/jobs/{Unknown}/parameters", ("cmd", "x")), HttpStatusCode.NotFound);
        yield return Case("DELETE_unknown_job", _ => new HttpRequestMessage(HttpMethod.Delete, $"/jobs/{Unknown}"), HttpStatusCode.NotFound);
        yield return Case("ACTION_DELETE_unknown_job", _ => Form(HttpMethod.Post, $"/jobs/{Unknown}", ("ACTION", "DELETE")), HttpStatusCode.NotFound);
        yield return Case("unknown_path_below_the_job", id => new HttpRequestMessage(HttpMethod.Get, $"/jobs/{id}/nothing"), HttpStatusCode.NotFound);
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Malformed_request(Func<string, HttpRequestMessage> build, HttpStatusCode expected)
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("cmd", "echo"), ("RUNID", "keep"));
        var before = (await client.GetJobAsync(id)).ToString();

        using var request = build(id);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.InRange(400, 499), body);
            Assert.That(response.StatusCode, Is.EqualTo(expected), body);
            Assert.That(body, Is.Not.Empty);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
        });
        Assert.That((await client.GetJobAsync(id)).ToString(), Is.EqualTo(before), "The existing job changed.");
        Assert.That((await client.GetUwsXmlAsync("/jobs")).Root!.Elements(Uws + "jobref").Select(j => j.Attribute("id")!.Value),
            Is.EqualTo(new[] { id }), "A job was created or destroyed.");
    }
}
