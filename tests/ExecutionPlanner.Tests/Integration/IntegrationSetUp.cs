using ExecutionPlanner.Tests.Support;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>One fresh database for all integration tests of a run (created before, dropped after).</summary>
[SetUpFixture]
public sealed class IntegrationSetUp
{
    [OneTimeSetUp]
    public Task CreateDatabase() => TestDatabase.CreateAsync();

    [OneTimeTearDown]
    public Task DropDatabase() => TestDatabase.DropAsync();
}
