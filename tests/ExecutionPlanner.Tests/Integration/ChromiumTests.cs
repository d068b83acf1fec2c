using System.Collections.Concurrent;
using ExecutionPlanner.Tests.Support;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// The browser view in a real browser (headless Chromium): sign in, create a job through the form, watch it reach
/// COMPLETED without reloading, open a result, follow the job list, use the planner. Each page's screenshot is a
/// test attachment (under the test results directory). The pages may load nothing but this server's own files,
/// may raise no script error, and must pass axe-core's WCAG 2.1 A/AA and best-practice rules.
/// </summary>
[Category("Browser")]
[NonParallelizable]
public sealed class ChromiumTests
{
    static readonly float Deadline = 120_000;

    UwsTestServer server = null!;
    IPlaywright playwright = null!;
    IBrowser browser = null!;
    IBrowserContext context = null!;
    string netLog = null!;
    readonly ConcurrentQueue<string> problems = new();

    [OneTimeSetUp]
    public async Task StartServerAndBrowser()
    {
        await ExecutionServer.RequireDockerAsync();
        netLog = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"chromium-netlog-{Guid.NewGuid():N}.json");
        (playwright, browser) = await Chromium.LaunchAsync(netLog);
        server = await ExecutionServer.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:AllowAnonymous"] = "false",
            ["Planner:PlatformCores"] = "4",
            ["Planner:PlatformMemory"] = "8Gi",
        });
    }

    [OneTimeTearDown]
    public async Task StopServerAndBrowser()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }
        playwright?.Dispose();
        if (browser is not null)
        {
            Chromium.AssertStayedOnThisMachine(netLog);
            File.Delete(netLog);
        }
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    [SetUp]
    public async Task NewBrowserContext()
    {
        context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseAddress.ToString(), Locale = "en-GB" });
        context.SetDefaultTimeout(30_000);
        var origin = server.BaseAddress.GetLeftPart(UriPartial.Authority);
        // Nothing a page asks for may leave this server: record it and refuse it.
        await context.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url.StartsWith(origin, StringComparison.Ordinal))
            {
                await route.ContinueAsync();
            }
            else
            {
                problems.Enqueue($"request off this server: {route.Request.Url}");
                await route.AbortAsync();
            }
        });
        context.Page += (_, page) =>
        {
            page.PageError += (_, error) => problems.Enqueue($"script error on {page.Url}: {error}");
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    problems.Enqueue($"console error on {page.Url}: {message.Text}");
                }
            };
        };
        problems.Clear();
    }

    [TearDown]
    public async Task CloseBrowserContext()
    {
        await context.DisposeAsync();
        Assert.That(problems, Is.Empty, "The pages raised script errors or asked for something off this server.");
    }

    [Test]
    public async Task A_job_made_in_the_browser_completes_on_the_page_by_itself_and_its_result_opens()
    {
        using var api = server.NewOwner(out var ownerId);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/jobs");
        await page.WaitForURLAsync("**/web/signin?return=*");
        await ScreenshotAsync(page, "1-sign-in");
        await page.GetByLabel("Token").FillAsync(api.DefaultRequestHeaders.Authorization!.Parameter!);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/jobs");
        Assert.That(await page.Locator("header.site .who").InnerTextAsync(), Does.Contain(ownerId));

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "New job" }).ClickAsync();
        await page.WaitForURLAsync("**/web/jobs/new");
        await page.GetByLabel("Image").FillAsync(Image);
        // The pause keeps it running long enough to see its output arrive while it is EXECUTING.
        await page.GetByLabel("Command").FillAsync("sh\n-c\necho hi > /uws/results/out.txt; echo to-stdout; echo to-stderr >&2; sleep 5");
        await page.GetByLabel("Environment").FillAsync("GREETING=hello");
        await page.GetByLabel("Run id").FillAsync("from-chromium");
        Assert.That(await page.GetByLabel("Run at once").IsCheckedAsync(), Is.True);
        await ScreenshotAsync(page, "2-new-job");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create job" }).ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/jobs/[a-z0-9]+$"));
        var jobId = page.Url.Split('/')[^1];

        // A mark on the loaded page: it is still there at the end only if the page never reloaded. And the phase the
        // page showed when the job's stdout first appeared on it.
        await page.EvaluateAsync(@"() => {
            window.__notReloaded = true;
            const seen = () => {
                const out = document.getElementById('stdout');
                if (!window.__stdoutSeenIn && out && out.textContent.includes('to-stdout')) {
                    window.__stdoutSeenIn = document.querySelector('#job-phase [data-phase]').getAttribute('data-phase');
                }
            };
            new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, characterData: true });
            seen();
        }");
        await page.Locator("#job-phase [data-phase=COMPLETED]").WaitForAsync(new() { Timeout = Deadline });
        Assert.That(await page.EvaluateAsync<bool>("() => window.__notReloaded === true"), Is.True, "the page reloaded instead of changing by itself");
        Assert.That(await page.EvaluateAsync<string>("() => window.__stdoutSeenIn"), Is.EqualTo("EXECUTING"), "stdout should show while the job runs");
        Assert.That(await page.Locator("#stdout").InnerTextAsync(), Does.Contain("to-stdout"));
        Assert.That(await page.Locator("#stderr").InnerTextAsync(), Does.Contain("to-stderr"));
        Assert.That(await page.Locator("#job-live").InnerTextAsync(), Does.Contain("COMPLETED"));
        await ScreenshotAsync(page, "3-job-completed");
        Assert.That(PhaseOf(await api.GetJobAsync(jobId)), Is.EqualTo("COMPLETED"));

        await page.GetByRole(AriaRole.Link, new() { Name = "out.txt" }).ClickAsync();
        await page.WaitForURLAsync($"**/jobs/{jobId}/results/out.txt");
        Assert.That((await page.Locator("body").InnerTextAsync()).Trim(), Is.EqualTo("hi"));
        await ScreenshotAsync(page, "4-result");

        // The job list follows a job it shows: queued through the API, it becomes COMPLETED on the open page.
        var pending = await api.CreateJobAsync(("cmd", "true"));
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/jobs");
        await page.EvaluateAsync("() => { window.__notReloaded = true; }");
        Assert.That(await page.Locator($"tr[data-job-id='{pending}'] .job-phase").InnerTextAsync(), Is.EqualTo("PENDING"));
        using (var run = await api.PostFormAsync($"/jobs/{pending}/phase", ("PHASE", "RUN")))
        {
            Assert.That((int)run.StatusCode, Is.EqualTo(303));
        }
        await page.Locator($"tr[data-job-id='{pending}'] .job-phase [data-phase=COMPLETED]").WaitForAsync(new() { Timeout = Deadline });
        Assert.That(await page.EvaluateAsync<bool>("() => window.__notReloaded === true"), Is.True);
        await ScreenshotAsync(page, "5-job-list-phone");
    }

    [Test]
    public async Task The_planner_page_offers_and_an_accepted_offer_opens_its_job()
    {
        using var api = server.NewOwner();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/web/signin");
        await page.GetByLabel("Token").FillAsync(api.DefaultRequestHeaders.Authorization!.Parameter!);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/jobs");

        await page.GotoAsync("/");
        Assert.That(await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync(), Is.EqualTo("ExecutionPlanner"));
        await ScreenshotAsync(page, "0-start");
        await page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "The planner" }).ClickAsync();
        await page.WaitForURLAsync("**/web/planner");
        await ScreenshotAsync(page, "6-planner");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ask for offers" }).ClickAsync();
        await page.WaitForURLAsync("**/web/planner/offersets/*");
        Assert.That(await page.Locator("p.answer").InnerTextAsync(), Does.StartWith("YES"));
        await ScreenshotAsync(page, "7-offers");
        await page.GetByRole(AriaRole.Button, new() { Name = "Accept" }).First.ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/jobs/[a-z0-9]+$"));
        var phase = await page.Locator("#job-phase [data-phase]").GetAttributeAsync("data-phase");
        Assert.That(phase, Is.AnyOf("HELD", "QUEUED", "EXECUTING", "COMPLETED"));
        Assert.That(await page.Locator("#job-state").InnerTextAsync(), Does.Contain("Quote"));
        await ScreenshotAsync(page, "8-accepted-offer-job");
        // Its slot starts now: it runs and completes on the page by itself.
        await page.Locator("#job-phase [data-phase=COMPLETED]").WaitForAsync(new() { Timeout = Deadline });
    }

    /// <summary>Saves the page's screenshot as an attachment, and checks the page with axe-core (WCAG 2 A and AA rules).</summary>
    async Task ScreenshotAsync(IPage page, string name)
    {
        if (new Uri(page.Url).AbsolutePath.Contains("/results/", StringComparison.Ordinal) is false)
        {
            var axe = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
            foreach (var violation in axe.Violations)
            {
                problems.Enqueue($"accessibility ({violation.Impact}) on {page.Url}: {violation.Id}: {violation.Help} at {string.Join(", ", violation.Nodes.Select(n => n.Html))}");
            }
        }
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "browser-screenshots");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"{TestContext.CurrentContext.Test.MethodName}-{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        TestContext.AddTestAttachment(file, $"{name}: {page.Url}");
    }
}
