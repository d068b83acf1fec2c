namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// A fixture with one real server for all its tests (started once, stopped at the end). Tests run in
/// parallel; each takes its own owner from <see cref="UwsTestServer.NewOwner()"/>, so none sees another's jobs.
/// </summary>
[Category("PostgreSQL")]
[Parallelizable(ParallelScope.Children)]
public abstract class ServerFixture
{
    protected UwsTestServer Server { get; private set; } = null!;

    /// <summary>Override to start the server differently (other settings, a required engine).</summary>
    protected virtual Task<UwsTestServer> StartServerAsync() => UwsTestServer.StartAsync();

    [OneTimeSetUp]
    public async Task StartServer() => Server = await StartServerAsync();

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
