namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// The rule for tests that need a real service (PostgreSQL, dockerd): on a laptop without it they are
/// ignored with the reason; on CI (CI=true) or when the test script demands it (EP_REQUIRE_SERVICES=1)
/// they fail loudly, so a missing daemon never turns the suite quietly green.
/// </summary>
public static class RequiredServices
{
    public static bool AreRequired =>
        Environment.GetEnvironmentVariable("CI") == "true" || Environment.GetEnvironmentVariable("EP_REQUIRE_SERVICES") == "1";

    public static void Missing(string what)
    {
        if (AreRequired)
        {
            Assert.Fail($"{what} is required here (CI or EP_REQUIRE_SERVICES=1) but is not available.");
        }
        Assert.Ignore($"{what} is not available; run the tests through deploy/run-tests.sh.");
    }
}
