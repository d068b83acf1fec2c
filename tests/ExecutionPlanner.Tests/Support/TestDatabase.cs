using System.Collections.Concurrent;
using Npgsql;

namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// Fresh PostgreSQL databases for one test run, all dropped at the end: the shared one most fixtures
/// use, and private ones for fixtures whose servers run jobs (a dispatcher claims every QUEUED job in
/// its database, so it must not share one with fixtures that set phases by hand). The server is the
/// one deploy/run-tests.sh started; EP_TEST_POSTGRES names it (an admin connection string), defaulting
/// to the local unix socket as the current OS user.
/// </summary>
public static class TestDatabase
{
    static readonly ConcurrentBag<string> Created = [];
    static string? shared;

    public static string ConnectionString => shared ?? throw new InvalidOperationException("The test database was not created.");

    static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("EP_TEST_POSTGRES")
        ?? $"Host=/var/run/postgresql;Database=postgres;Username={Environment.UserName}";

    public static async Task CreateAsync() => shared = await CreatePrivateAsync();

    /// <summary>A new empty database (the server migrates it at start-up); dropped with the others.</summary>
    public static async Task<string> CreatePrivateAsync()
    {
        var name = $"ep_test_{Guid.NewGuid():N}"[..24];
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
        Created.Add(name);
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops every database this run created (one already dropped is skipped).</summary>
    public static async Task DropAsync()
    {
        NpgsqlConnection.ClearAllPools();
        while (Created.TryTake(out var name))
        {
            await DropDatabaseAsync(name);
        }
        shared = null;
    }

    /// <summary>Drops one database now (its fixture is done with it).</summary>
    public static Task DropAsync(string connectionString) =>
        DropDatabaseAsync(new NpgsqlConnectionStringBuilder(connectionString).Database!);

    static async Task DropDatabaseAsync(string name)
    {
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse && attempt < 40)
            {
                // An autovacuum worker (a superuser's backend, which FORCE may not end for a role that is not one)
                // is analysing the new tables; it is done within moments.
                await Task.Delay(250);
            }
        }
    }
}
