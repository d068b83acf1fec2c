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

    /// <summary>Starts Playwright and Chromium; a missing chromium is ignored on a laptop and a failure on CI.</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
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
                Args = OfflineArguments,
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
}
