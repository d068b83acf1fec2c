namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// A database of its own for tests whose subject is global to a database (the planner's capacity
/// ledger charges every job and offer in it), so other tests' jobs cannot make it busy. Dropped on dispose.
/// </summary>
public sealed class PrivateDatabase : IAsyncDisposable
{
    PrivateDatabase(string connectionString) => ConnectionString = connectionString;

    public string ConnectionString { get; }

    public static async Task<PrivateDatabase> CreateAsync() => new(await TestDatabase.CreatePrivateAsync());

    /// <summary>A server on this database, with the given settings on top of the planner test defaults.</summary>
    public Task<UwsTestServer> StartServerAsync(IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?> { ["ConnectionStrings:ExecutionPlanner"] = ConnectionString };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        return UwsTestServer.StartAsync(all);
    }

    public async ValueTask DisposeAsync() => await TestDatabase.DropAsync(ConnectionString);
}
