using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>The browser view against hostile input: values, requests and stored files that must stay inert.</summary>
public sealed partial class BrowserViewTests
{
    [Test]
    public async Task Hostile_values_are_text_on_every_page()
    {
        const string script = "<script>alert(1)</script>";
        const string attribute = "\"><img src=x onerror=alert(2)>";
        using var owner = Server.NewOwner();
        var id = await owner.CreateJobAsync(("cmd", script), ("cmd", attribute), ("env", $"X={script}"), ("RUNID", attribute));
        using var browser = new BrowserClient(Server.BaseAddress);
        await browser.SignInAsync(TokenOf(owner));
        foreach (var path in new[] { $"/jobs/{id}", "/jobs", $"/jobs?PHASE={Uri.EscapeDataString(script)}", "/jobs?AFTER=%22%3E%3Cscript%3E" })
        {
            var (_, html) = await browser.GetPageAsync(path);
            Assert.That(html, Does.Not.Contain("<script>alert").And.Not.Contain("<img src=x"), path);
            // Every script the page has is this server's own file.
            Assert.That(ScriptTag().Matches(html).Select(m => m.Value), Has.All.Match("^<script src=\"/web/assets/[a-z]+\\.js\" defer></script>$"), path);
        }
        var (_, page) = await browser.GetPageAsync($"/jobs/{id}");
        Assert.That(page, Does.Contain("&lt;script&gt;alert(1)&lt;/script&gt;").And.Contain("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
        using var headers = await browser.Http.GetAsync($"/jobs/{id}");
        Assert.That(headers.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("script-src 'self'").And.Contain("default-src 'none'"));
    }

    [Test]
    public async Task Stored_files_are_sandboxed_for_browsers_and_assets_come_from_this_server()
    {
        using var owner = Server.NewOwner();
        using var content = new MultipartFormDataContent { { new StringContent(Image), "image" } };
        var html = new ByteArrayContent("<script>alert(1)</script>"u8.ToArray());
        html.Headers.ContentType = new MediaTypeHeaderValue("text/html");
        content.Add(html, "page.html", "page.html");
        using var created = await owner.PostAsync("/jobs", content);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await created.Content.ReadAsStringAsync());
        using var upload = await owner.GetAsync($"{created.Headers.Location!.AbsolutePath}/parameters/page.html");
        Assert.That(upload.Headers.GetValues("Content-Security-Policy").Single(), Does.StartWith("sandbox"));
        Assert.That(await upload.Content.ReadAsStringAsync(), Is.EqualTo("<script>alert(1)</script>"), "the bytes are unchanged");

        using var browser = new BrowserClient(Server.BaseAddress);
        foreach (var (asset, type) in new[] { ("site.css", "text/css"), ("job.js", "text/javascript"), ("jobs.js", "text/javascript") })
        {
            using var answer = await browser.Http.GetAsync($"/web/assets/{asset}");
            Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK), asset);
            Assert.That(answer.Content.Headers.ContentType!.MediaType, Is.EqualTo(type), asset);
            var text = await answer.Content.ReadAsStringAsync();
            Assert.That(OffServerUrl().Matches(text).Select(m => m.Value), Is.Empty, asset);
        }
        Assert.That((await browser.Http.GetAsync("/web/assets/nothing.js")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Hostile_browser_requests_get_4xx_pages_never_a_5xx()
    {
        using var owner = Server.NewOwner();
        var id = await owner.CreateJobAsync(("cmd", "true"));
        using var browser = new BrowserClient(Server.BaseAddress);
        await browser.SignInAsync(TokenOf(owner));
        await browser.GetPageAsync("/jobs");
        var gets = new[]
        {
            "/jobs?PHASE=%00", "/jobs?AFTER=%EF%BF%BF", "/jobs?LAST=-1", "/jobs?LAST=99999999999", "/jobs?NAME=x", "/jobs?%ZZ=1",
            "/jobs?AFTER=" + new string('9', 70000), "/jobs?PHASE=%ED%A0%80", $"/jobs/{id}?WAIT=abc", $"/jobs/{id}?WAIT=0&PHASE=NOPE",
            $"/jobs/{id}?PHASE=PENDING&PHASE=QUEUED", "/jobs/%3Cscript%3E", "/jobs/..%2F..%2Fetc", "/web/planner/offersets/not-an-id",
            "/web/assets/..%2Fsite.css", "/web/signin?return=%0d%0aSet-Cookie:%20x=1", "/web/signin?return=javascript:alert(1)", "/?x=%00",
        };
        foreach (var path in gets)
        {
            var (status, html) = await browser.GetPageAsync(path);
            Assert.That((int)status, Is.InRange(200, 499), $"GET {path}: {html}");
        }
        var posts = new (string Path, HttpContent Body)[]
        {
            ("/web/jobs", new StringContent("")),
            ("/web/jobs", new StringContent("{\"image\": 1}", System.Text.Encoding.UTF8, "application/json")),
            ("/web/jobs", new FormUrlEncodedContent([KeyValuePair.Create("_antiforgery", browser.Antiforgery!), KeyValuePair.Create("image", "x\u0001")])),
            ("/web/jobs", new FormUrlEncodedContent([KeyValuePair.Create("_antiforgery", browser.Antiforgery!), KeyValuePair.Create("image", Image), KeyValuePair.Create("cores", "lots"), KeyValuePair.Create("env", "1=2")])),
            ("/web/jobs", new FormUrlEncodedContent([KeyValuePair.Create("_antiforgery", browser.Antiforgery!), KeyValuePair.Create("image", Image), KeyValuePair.Create("image", "other")])),
            ("/web/signin", new FormUrlEncodedContent([KeyValuePair.Create("_antiforgery", browser.Antiforgery!), KeyValuePair.Create("token", new string('x', 100000))])),
            ("/web/planner/offersets", new FormUrlEncodedContent([KeyValuePair.Create("_antiforgery", browser.Antiforgery!), KeyValuePair.Create("task", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[")])),
            ("/web/planner/offersets", new FormUrlEncodedContent([KeyValuePair.Create("_antiforgery", browser.Antiforgery!), KeyValuePair.Create("task", "executable: {kind: nope}")])),
            ("/web/planner/offers/nope/accept", new FormUrlEncodedContent([KeyValuePair.Create("_antiforgery", browser.Antiforgery!)])),
            ($"/web/jobs/{id}/phase", new FormUrlEncodedContent([KeyValuePair.Create("_antiforgery", browser.Antiforgery!), KeyValuePair.Create("PHASE", "SUSPEND")])),
            ($"/web/jobs/{id}/phase", new FormUrlEncodedContent([KeyValuePair.Create("_antiforgery", browser.Antiforgery!)])),
            ("/web/jobs/nope/delete", new FormUrlEncodedContent([KeyValuePair.Create("_antiforgery", browser.Antiforgery!)])),
        };
        foreach (var (path, body) in posts)
        {
            using var answer = await browser.Http.PostAsync(path, body);
            Assert.That((int)answer.StatusCode, Is.InRange(200, 499), $"POST {path}: {await answer.Content.ReadAsStringAsync()}");
            body.Dispose();
        }
        Assert.That(await owner.PhaseAsync(id), Is.EqualTo("PENDING"));
    }

    [GeneratedRegex("<script\\b[^>]*>[^<]*</script>")]
    private static partial Regex ScriptTag();

    [GeneratedRegex(@"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex OffServerUrl();
}
