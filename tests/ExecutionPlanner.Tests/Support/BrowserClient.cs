using System.Net;
using System.Text.RegularExpressions;

namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// An HTTP client that behaves like a browser towards the browser view (without running scripts): it asks for
/// text/html as browsers do, keeps cookies, and sends each form with the antiforgery value of the last page it got.
/// </summary>
public sealed partial class BrowserClient : IDisposable
{
    public const string BrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

    readonly HttpClient client;

    public BrowserClient(Uri baseAddress)
    {
        Cookies = new CookieContainer();
        client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = Cookies, UseCookies = true })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(120),
        };
        client.DefaultRequestHeaders.Accept.ParseAdd(BrowserAccept);
    }

    public CookieContainer Cookies { get; }

    /// <summary>The antiforgery value of the last page fetched.</summary>
    public string? Antiforgery { get; private set; }

    public async Task<(HttpStatusCode Status, string Html)> GetPageAsync(string path)
    {
        using var response = await client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        if (AntiforgeryValue().Match(html) is { Success: true } m)
        {
            Antiforgery = m.Groups["v"].Value;
        }
        return (response.StatusCode, html);
    }

    /// <summary>Posts a form as a browser sends it (with the antiforgery value unless told otherwise); redirects are not followed.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, bool withAntiforgery = true)
    {
        var all = fields.ToList();
        if (withAntiforgery && Antiforgery is not null)
        {
            all.Add(KeyValuePair.Create("_antiforgery", Antiforgery));
        }
        return await client.PostAsync(path, new FormUrlEncodedContent(all));
    }

    public async Task<HttpResponseMessage> PostMultipartAsync(string path, MultipartFormDataContent content)
    {
        if (Antiforgery is not null)
        {
            content.Add(new StringContent(Antiforgery), "_antiforgery");
        }
        return await client.PostAsync(path, content);
    }

    /// <summary>Signs in through the form with a bearer token and checks that the browser was sent on.</summary>
    public async Task SignInAsync(string token)
    {
        await GetPageAsync("/web/signin");
        using var answer = await PostFormAsync("/web/signin", [KeyValuePair.Create("token", token), KeyValuePair.Create("return", "/jobs")]);
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await answer.Content.ReadAsStringAsync());
    }

    public HttpClient Http => client;

    public void Dispose() => client.Dispose();

    [GeneratedRegex("name=\"_antiforgery\" value=\"(?<v>[^\"]+)\"")]
    private static partial Regex AntiforgeryValue();
}
