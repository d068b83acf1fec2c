using ExecutionPlanner.Server.Web;
using Microsoft.AspNetCore.Http;

namespace ExecutionPlanner.Tests.Unit;

public sealed class BrowserRequestsTests
{
    [TestCase("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ExpectedResult = true, TestName = "Firefox and Chromium get html")]
    [TestCase("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7", ExpectedResult = true)]
    [TestCase("text/html", ExpectedResult = true)]
    [TestCase("text/html;q=0.5, */*;q=0.1", ExpectedResult = true)]
    [TestCase("*/*", ExpectedResult = false, TestName = "curl and pyvo get xml")]
    [TestCase("", ExpectedResult = false)]
    [TestCase("application/xml", ExpectedResult = false)]
    [TestCase("text/xml, text/html", ExpectedResult = false)]
    [TestCase("text/*", ExpectedResult = false)]
    [TestCase("text/html;q=0.8, */*", ExpectedResult = false)]
    [TestCase("text/html;q=0", ExpectedResult = false)]
    [TestCase("garbage;;;==", ExpectedResult = false)]
    public bool A_client_gets_html_only_when_it_ranks_html_above_xml(string accept)
    {
        var context = new DefaultHttpContext();
        if (accept.Length > 0)
        {
            context.Request.Headers.Accept = accept;
        }
        return BrowserRequests.PrefersHtml(context.Request);
    }

    [TestCase("/jobs?LAST=3", ExpectedResult = "/jobs?LAST=3")]
    [TestCase("/", ExpectedResult = "/")]
    [TestCase("//evil.example/", ExpectedResult = "/jobs")]
    [TestCase("/\\evil.example/", ExpectedResult = "/jobs")]
    [TestCase("https://evil.example/", ExpectedResult = "/jobs")]
    [TestCase("jobs", ExpectedResult = "/jobs")]
    [TestCase(null, ExpectedResult = "/jobs")]
    public string? Only_a_path_on_this_server_is_a_return_address(string? url) => BrowserForms.LocalPath(url);
}
