namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// A fixture with one real server on a PostgreSQL database of its own (created at set-up, dropped at tear-down),
/// for tests whose bookings or settings must not meet another fixture's. Subclasses give the server's settings.
/// </summary>
[Category("PostgreSQL")]
public abstract class PrivateServerFixture
{
    PrivateDatabase? database;

    protected UwsTestServer Server { get; private set; } = null!;

    /// <summary>The server's configuration beyond the test defaults.</summary>
    protected abstract IDictionary<string, string?> Settings { get; }

    [OneTimeSetUp]
    public async Task StartPrivateServer()
    {
        database = await PrivateDatabase.CreateAsync();
        Server = await database.StartServerAsync(Settings);
    }

    [OneTimeTearDown]
    public async Task StopPrivateServer()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }
}
