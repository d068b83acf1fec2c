using Npgsql;

namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// A fresh PostgreSQL database for one test run, dropped at the end. The server is the one
/// deploy/run-tests.sh started; EP_TEST_POSTGRES names it (an admin connection string), defaulting
/// to the local unix socket as the current OS user.
/// </summary>
public static class TestDatabase
{
    static string? connectionString;

    public static string ConnectionString => connectionString ?? throw new InvalidOperationException("The test database was not created.");

    static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("EP_TEST_POSTGRES")
        ?? $"Host=/var/run/postgresql;Database=postgres;Username={Environment.UserName}";

    public static async Task CreateAsync()
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
        connectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    public static async Task DropAsync()
    {
        if (connectionString is null)
        {
            return;
        }
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
        connectionString = null;
    }
}
