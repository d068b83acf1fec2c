using Npgsql;

namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// A database of its own for tests whose subject is global to a database (the planner's capacity
/// ledger charges every job and offer in it), so other tests' jobs cannot make it busy. Dropped on dispose.
/// </summary>
public sealed class PrivateDatabase : IAsyncDisposable
{
    PrivateDatabase(string connectionString) => ConnectionString = connectionString;

    public string ConnectionString { get; }

    static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("EP_TEST_POSTGRES")
        ?? $"Host=/var/run/postgresql;Database=postgres;Username={Environment.UserName}";

    public static async Task<PrivateDatabase> CreateAsync()
    {
        var name = $"ep_private_{Guid.NewGuid():N}"[..27];
        try
        {
            await using var admin = new NpgsqlConnection(AdminConnectionString);
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            RequiredServices.Missing($"PostgreSQL ({ex.Message})");
        }
        return new PrivateDatabase(new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString);
    }

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

    public async ValueTask DisposeAsync()
    {
        var name = new NpgsqlConnectionStringBuilder(ConnectionString).Database;
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
