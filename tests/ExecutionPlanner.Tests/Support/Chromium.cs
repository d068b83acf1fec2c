using System.Text.Json;
using Microsoft.Playwright;

namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// Headless Chromium for the browser tests: Debian's chromium (deploy/run-tests.sh installs it), driven by
/// Microsoft.Playwright, whose driver (node) ships in the NuGet package and is copied to the build output.
/// Playwright's own browser download cannot work here, so the executable is always the system's. Chromium
/// is kept off the network: no background services, and no host name resolves except the loopback test server.
/// </summary>
public static class Chromium
{
    /// <summary>EP_CHROMIUM, or Debian's /usr/bin/chromium.</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("EP_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    static readonly string[] OfflineArguments =
    [
        // No sandbox: the tests run as root in a container, where Chromium's sandbox cannot start.
        "--no-sandbox",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-domain-reliability",
        "--disable-sync",
        "--disable-breakpad",
        "--no-first-run",
        "--no-pings",
        "--metrics-recording-only",
        "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions",
        // Whatever still tries: every host name but the loopback test server fails to resolve.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    ];

    /// <summary>
    /// Starts Playwright and Chromium; a missing chromium is ignored on a laptop and a failure on CI. Chromium
    /// writes its network log to <paramref name="netLog"/>, for <see cref="AssertStayedOnThisMachine"/> after it closed.
    /// </summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync(string netLog)
    {
        if (!File.Exists(ExecutablePath))
        {
            RequiredServices.Missing($"Chromium at {ExecutablePath} (apt-get install chromium, or set EP_CHROMIUM)");
        }
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = [.. OfflineArguments, $"--log-net-log={netLog}"],
                Timeout = 60_000,
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads Chromium's network log (NetLog JSON, complete once the browser has closed): every TCP connection it
    /// opened went to the loopback address. The one UDP "connect" allowed elsewhere is Chromium's IPv6 reachability
    /// probe, which asks the routing table and sends nothing.
    /// </summary>
    public static void AssertStayedOnThisMachine(string netLog)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(netLog));
        var types = document.RootElement.GetProperty("constants").GetProperty("logEventTypes").EnumerateObject()
            .ToDictionary(t => t.Value.GetInt32(), t => t.Name);
        var connections = new List<string>();
        foreach (var e in document.RootElement.GetProperty("events").EnumerateArray())
        {
            var type = types.GetValueOrDefault(e.GetProperty("type").GetInt32(), "");
            if (type is "TCP_CONNECT_ATTEMPT" or "TCP_CONNECT" or "UDP_CONNECT"
                && e.TryGetProperty("params", out var p) && p.TryGetProperty("address", out var address))
            {
                connections.Add($"{type} {address.GetString()}");
            }
        }
        Assert.That(connections, Is.Not.Empty, "the network log shows no connection at all: was it written?");
        Assert.That(connections.Where(c => !IsLoopback(c) && c != "UDP_CONNECT [2001:4860:4860::8888]:443"), Is.Empty,
            "Chromium connected somewhere other than this machine");
    }

    static bool IsLoopback(string connection) =>
        connection.Split(' ')[1] is var a && (a.StartsWith("127.", StringComparison.Ordinal) || a.StartsWith("[::1]", StringComparison.Ordinal));
}
