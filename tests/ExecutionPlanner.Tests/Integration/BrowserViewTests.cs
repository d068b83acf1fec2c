using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// The browser view without a browser: content negotiation (browsers get pages, every other client the same
/// UWS bytes as before), sign-in by cookie, the forms and their antiforgery check, and encoding of hostile values.
/// </summary>
[Parallelizable(ParallelScope.Children)]
public sealed partial class BrowserViewTests : PrivateServerFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Auth:AllowAnonymous"] = "false",
        ["Planner:PlatformCores"] = "8",
        ["Planner:PlatformMemory"] = "16Gi",
    };

    static string TokenOf(HttpClient owner) => owner.DefaultRequestHeaders.Authorization!.Parameter!;

    [Test]
    public async Task Xml_clients_get_the_same_bytes_whatever_they_accept_and_browsers_get_html()
    {
        using var owner = Server.NewOwner();
        var id = await owner.CreateJobAsync(("cmd", "echo"), ("RUNID", "same-bytes"));
        foreach (var path in new[] { "/jobs", $"/jobs/{id}" })
        {
            var baseline = await BytesAsync(owner, path, null);
            Assert.That(baseline.Type, Is.EqualTo("text/xml"), path);
            var root = XDocument.Parse(System.Text.Encoding.UTF8.GetString(baseline.Body)).Root!;
            Assert.That(root.Name.Namespace, Is.EqualTo(Uws), path);
            // curl and pyvo (*/*), UWS clients naming XML, a client that takes any text, and one that ranks XML first.
            foreach (var accept in new[] { "*/*", "application/xml", "text/xml", "text/*", "application/xml, text/html", "text/html;q=0.5, text/xml", "text/html;q=0.8, */*" })
            {
                var answer = await BytesAsync(owner, path, accept);
                Assert.That(answer.Type, Is.EqualTo("text/xml"), $"{path} with Accept {accept}");
                Assert.That(answer.Body, Is.EqualTo(baseline.Body), $"{path} with Accept {accept}");
            }
            var page = await BytesAsync(owner, path, BrowserClient.BrowserAccept);
            Assert.That(page.Type, Is.EqualTo("text/html"), path);
        }
    }

    [Test]
    public async Task The_root_is_a_page_for_browsers_and_stays_a_404_for_other_clients()
    {
        using var anonymous = Server.Anonymous();
        var (status, body) = await anonymous.GetTextAsync("/");
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(body, Is.EqualTo("There is no resource at /."));
        using var browser = new BrowserClient(Server.BaseAddress);
        var (pageStatus, html) = await browser.GetPageAsync("/");
        Assert.That(pageStatus, Is.EqualTo(HttpStatusCode.OK), html);
        Assert.That(html, Does.Contain("<main id=\"main\"").And.Contain("<nav aria-label=\"Main\">").And.Contain("name=\"viewport\""));
    }

    [Test]
    public async Task A_browser_without_a_sign_in_is_sent_to_the_sign_in_form_and_back()
    {
        using var browser = new BrowserClient(Server.BaseAddress);
        using var answer = await browser.Http.GetAsync("/jobs?LAST=3");
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(answer.Headers.Location!.OriginalString, Is.EqualTo("/web/signin?return=%2Fjobs%3FLAST%3D3"));

        using var owner = Server.NewOwner(out var ownerId);
        await browser.GetPageAsync(answer.Headers.Location!.OriginalString);
        using var signIn = await browser.PostFormAsync("/web/signin", [KeyValuePair.Create("token", TokenOf(owner)), KeyValuePair.Create("return", "/jobs?LAST=3")]);
        Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await signIn.Content.ReadAsStringAsync());
        Assert.That(signIn.Headers.Location!.OriginalString, Is.EqualTo("/jobs?LAST=3"));
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ep_token=", StringComparison.Ordinal));
        Assert.That(cookie, Does.Contain("httponly").IgnoreCase.And.Contain("samesite=strict").IgnoreCase.And.Contain("path=/"));

        var (status, html) = await browser.GetPageAsync("/jobs?LAST=3");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), html);
        Assert.That(html, Does.Contain(ownerId));
        // The token never appears in a page or a URL.
        Assert.That(html, Does.Not.Contain(TokenOf(owner)));
    }

    [Test]
    public async Task Signing_in_with_an_unknown_token_or_to_another_site_is_refused()
    {
        using var browser = new BrowserClient(Server.BaseAddress);
        await browser.GetPageAsync("/web/signin");
        using var wrong = await browser.PostFormAsync("/web/signin", [KeyValuePair.Create("token", "not-a-token-here")]);
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(wrong.Headers.Contains("Set-Cookie") && wrong.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("ep_token=", StringComparison.Ordinal)), Is.False);

        using var owner = Server.NewOwner();
        using var elsewhere = await browser.PostFormAsync("/web/signin", [KeyValuePair.Create("token", TokenOf(owner)), KeyValuePair.Create("return", "//evil.example/")]);
        Assert.That(elsewhere.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(elsewhere.Headers.Location!.OriginalString, Is.EqualTo("/jobs"));
    }

    [Test]
    public async Task Forms_without_this_browsers_antiforgery_value_change_nothing()
    {
        using var owner = Server.NewOwner();
        var id = await owner.CreateJobAsync(("cmd", "true"));
        using var browser = new BrowserClient(Server.BaseAddress);
        await browser.SignInAsync(TokenOf(owner));
        await browser.GetPageAsync($"/jobs/{id}");

        using var none = await browser.PostFormAsync($"/web/jobs/{id}/delete", [], withAntiforgery: false);
        Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using var forged = await browser.PostFormAsync($"/web/jobs/{id}/delete", [KeyValuePair.Create("_antiforgery", "forged")], withAntiforgery: false);
        Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        // The sign-in cookie alone never authorises the API's own writes (they take bearer tokens).
        using var api = await browser.Http.PostAsync($"/jobs/{id}", new FormUrlEncodedContent([KeyValuePair.Create("ACTION", "DELETE")]));
        Assert.That(api.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await owner.PhaseAsync(id), Is.EqualTo("PENDING"));

        // Another browser's value does not fit this browser's cookies either.
        using var other = new BrowserClient(Server.BaseAddress);
        await other.SignInAsync(TokenOf(owner));
        await other.GetPageAsync($"/jobs/{id}");
        using var crossed = await browser.PostFormAsync($"/web/jobs/{id}/delete", [KeyValuePair.Create("_antiforgery", other.Antiforgery!)], withAntiforgery: false);
        Assert.That(crossed.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        using var real = await browser.PostFormAsync($"/web/jobs/{id}/delete", []);
        Assert.That(real.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That((await owner.GetTextAsync($"/jobs/{id}/phase")).Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task The_new_job_form_creates_the_job_the_api_would()
    {
        using var owner = Server.NewOwner();
        using var browser = new BrowserClient(Server.BaseAddress);
        await browser.SignInAsync(TokenOf(owner));
        await browser.GetPageAsync("/web/jobs/new");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(Image), "image" },
            { new StringContent("sh\r\n-c\r\necho hi > /uws/results/out.txt\r\n"), "cmd" },
            { new StringContent("GREETING=hello world\nB=2"), "env" },
            { new StringContent("0.5"), "cores" },
            { new StringContent(""), "memory" },
            { new StringContent("from-the-form"), "runid" },
        };
        var file = new ByteArrayContent("a,b\n1,2\n"u8.ToArray());
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "uploads", "cat.csv");
        // A file input left empty: browsers send a part with an empty file name.
        var empty = new ByteArrayContent([]);
        empty.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        empty.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"uploads\"", FileName = "\"\"" };
        form.Add(empty);
        using var created = await browser.PostMultipartAsync("/web/jobs", form);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await created.Content.ReadAsStringAsync());
        var id = created.Headers.Location!.OriginalString.Split('/')[^1];

        var job = await owner.GetJobAsync(id);
        Assert.That(PhaseOf(job), Is.EqualTo("PENDING"), "the Run at once box was not ticked");
        Assert.That(job.Element(Uws + "runId")!.Value, Is.EqualTo("from-the-form"));
        var parameters = job.Element(Uws + "parameters")!.Elements(Uws + "parameter").Select(p => (p.Attribute("id")!.Value, p.Value)).ToList();
        Assert.That(parameters.Where(p => p.Item1 == "cmd").Select(p => p.Item2), Is.EqualTo(new[] { "sh", "-c", "echo hi > /uws/results/out.txt" }));
        Assert.That(parameters.Where(p => p.Item1 == "env").Select(p => p.Item2), Is.EqualTo(new[] { "GREETING=hello world", "B=2" }));
        Assert.That(parameters, Does.Contain(("cores", "0.5")));
        Assert.That(parameters.Select(p => p.Item1), Does.Not.Contain("memory"));
        Assert.That(parameters.Single(p => p.Item1 == "cat.csv").Item2, Does.EndWith($"/jobs/{id}/parameters/cat.csv"));

        var (status, html) = await browser.GetPageAsync($"/jobs/{id}");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), html);
        Assert.That(html, Does.Contain("echo hi &gt; /uws/results/out.txt").And.Contain($"href=\"/jobs/{id}/parameters/cat.csv\""));
    }

    [Test]
    public async Task A_refused_form_is_shown_again_with_the_reason()
    {
        using var owner = Server.NewOwner();
        using var browser = new BrowserClient(Server.BaseAddress);
        await browser.SignInAsync(TokenOf(owner));
        await browser.GetPageAsync("/web/jobs/new");
        using var form = new MultipartFormDataContent { { new StringContent("elsewhere/image:1"), "image" }, { new StringContent("echo"), "cmd" } };
        using var refused = await browser.PostMultipartAsync("/web/jobs", form);
        var html = await refused.Content.ReadAsStringAsync();
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), html);
        Assert.That(html, Does.Contain("role=\"alert\"").And.Contain("elsewhere/image:1"));
        Assert.That(await owner.GetUwsXmlAsync("/jobs"), Has.Property("Root").With.Property("HasElements").False);
    }

    [Test]
    public async Task Run_abort_and_delete_buttons_move_the_job_as_the_api_does()
    {
        using var owner = Server.NewOwner();
        var id = await owner.CreateJobAsync(("cmd", "true"));
        using var browser = new BrowserClient(Server.BaseAddress);
        await browser.SignInAsync(TokenOf(owner));
        var (_, pending) = await browser.GetPageAsync($"/jobs/{id}");
        Assert.That(pending, Does.Contain("value=\"RUN\"").And.Contain("value=\"ABORT\""));

        using (var run = await browser.PostFormAsync($"/web/jobs/{id}/phase", [KeyValuePair.Create("PHASE", "RUN")]))
        {
            Assert.That(run.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
            Assert.That(run.Headers.Location!.OriginalString, Is.EqualTo($"/jobs/{id}"));
        }
        Assert.That(await owner.PhaseAsync(id), Is.EqualTo("QUEUED"), "this server runs no jobs, so it stays queued");
        var (_, queued) = await browser.GetPageAsync($"/jobs/{id}");
        Assert.That(queued, Does.Not.Contain("value=\"RUN\"").And.Contain("value=\"ABORT\""));
        using (var again = await browser.PostFormAsync($"/web/jobs/{id}/phase", [KeyValuePair.Create("PHASE", "RUN")]))
        {
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await again.Content.ReadAsStringAsync(), Does.Contain("role=\"alert\"").And.Contain("QUEUED"));
        }
        using (var abort = await browser.PostFormAsync($"/web/jobs/{id}/phase", [KeyValuePair.Create("PHASE", "ABORT")]))
        {
            Assert.That(abort.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        Assert.That(await owner.PhaseAsync(id), Is.EqualTo("ABORTED"));
        using (var delete = await browser.PostFormAsync($"/web/jobs/{id}/delete", []))
        {
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
            Assert.That(delete.Headers.Location!.OriginalString, Is.EqualTo("/jobs"));
        }
        Assert.That((await browser.GetPageAsync($"/jobs/{id}")).Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Another_owners_job_is_not_found_in_the_browser_either()
    {
        using var owner = Server.NewOwner();
        var id = await owner.CreateJobAsync(("cmd", "true"));
        using var stranger = Server.NewOwner();
        using var browser = new BrowserClient(Server.BaseAddress);
        await browser.SignInAsync(TokenOf(stranger));
        var (status, html) = await browser.GetPageAsync($"/jobs/{id}");
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(html, Does.Contain("role=\"alert\""));
        Assert.That((await browser.GetPageAsync("/jobs")).Html, Does.Not.Contain(id));
        using var delete = await browser.PostFormAsync($"/web/jobs/{id}/delete", []);
        Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await owner.PhaseAsync(id), Is.EqualTo("PENDING"));
    }

    [Test]
    public async Task The_job_list_page_filters_like_the_uws_list()
    {
        using var owner = Server.NewOwner();
        var first = await owner.CreateJobAsync(("cmd", "one"));
        var second = await owner.CreateJobAsync(("cmd", "two"));
        using (await owner.PostFormAsync($"/jobs/{second}/phase", ("PHASE", "ABORT")))
        {
        }
        using var browser = new BrowserClient(Server.BaseAddress);
        await browser.SignInAsync(TokenOf(owner));
        var (_, all) = await browser.GetPageAsync("/jobs?AFTER=&LAST=");
        Assert.That(all, Does.Contain(first).And.Contain(second).And.Contain("<th scope=\"col\">Phase</th>"));
        var (_, aborted) = await browser.GetPageAsync("/jobs?PHASE=ABORTED&AFTER=");
        Assert.That(aborted, Does.Contain(second).And.Not.Contain($"data-job-id=\"{first}\""));
        Assert.That(aborted, Does.Contain("value=\"ABORTED\" checked"));
        var (_, last) = await browser.GetPageAsync("/jobs?LAST=1");
        Assert.That(last, Does.Contain(second).And.Not.Contain($"data-job-id=\"{first}\""));
        var (status, bad) = await browser.GetPageAsync("/jobs?PHASE=SLEEPING");
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(bad, Does.Contain("role=\"alert\"").And.Contain("SLEEPING"));
    }

    [Test]
    public async Task The_planner_page_shows_offers_and_accepting_one_opens_its_job()
    {
        using var owner = Server.NewOwner();
        using var browser = new BrowserClient(Server.BaseAddress);
        await browser.SignInAsync(TokenOf(owner));
        var (_, ask) = await browser.GetPageAsync("/web/planner");
        Assert.That(ask, Does.Contain("<label for=\"task\">"));
        const string task = """
            executable:
              kind: https://www.purl.org/ivoa.net/EB/schema/v1.0/types/executable/docker-container-1.0
              image: executionplanner/busybox:1
              command: [sh, -c, "echo <b>planned</b>"]
            compute: {cores: {min: 1, max: 1}, memory: {min: 0.5, max: 0.5}}
            schedule: {requested: {duration: PT5M}}
            """;
        using var booked = await browser.PostFormAsync("/web/planner/offersets", [KeyValuePair.Create("task", task)]);
        Assert.That(booked.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await booked.Content.ReadAsStringAsync());
        var (status, offers) = await browser.GetPageAsync(booked.Headers.Location!.OriginalString);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), offers);
        Assert.That(offers, Does.Contain("YES").And.Contain("<caption>Offers</caption>"));
        var accept = AcceptAction().Match(offers);
        Assert.That(accept.Success, offers);

        using var accepted = await browser.PostFormAsync(accept.Groups["path"].Value, []);
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await accepted.Content.ReadAsStringAsync());
        var jobPath = accepted.Headers.Location!.OriginalString;
        Assert.That(jobPath, Does.Match("^/jobs/[a-z0-9]+$"));
        var job = await owner.GetJobAsync(jobPath.Split('/')[^1]);
        Assert.That(PhaseOf(job), Is.AnyOf("HELD", "QUEUED"));
        Assert.That(job.Element(Uws + "quote")!.Value, Is.Not.Empty);
        var (_, jobPage) = await browser.GetPageAsync(jobPath);
        Assert.That(jobPage, Does.Contain("echo &lt;b&gt;planned&lt;/b&gt;"));

        using var unreadable = await browser.PostFormAsync("/web/planner/offersets", [KeyValuePair.Create("task", "{not json")]);
        Assert.That(unreadable.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await unreadable.Content.ReadAsStringAsync(), Does.Contain("role=\"alert\"").And.Contain("{not json"));
    }

    static async Task<(string? Type, byte[] Body)> BytesAsync(HttpClient client, string path, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }
        using var response = await client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{path} with Accept {accept}");
        return (response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsByteArrayAsync());
    }

    [GeneratedRegex("<form method=\"post\" action=\"(?<path>/web/planner/offers/[^\"]+/accept)\"")]
    private static partial Regex AcceptAction();
}
