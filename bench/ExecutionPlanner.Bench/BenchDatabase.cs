using Npgsql;
using NpgsqlTypes;

namespace ExecutionPlanner.Bench;

/// <summary>A fresh database for the run (dropped at the end unless --keep), and fast direct inserts of jobs.</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    const string Parameters = """[{"Name":"image","Value":"executionplanner/busybox:1"}]""";

    readonly string adminConnectionString;
    readonly bool keep;

    BenchDatabase(string adminConnectionString, string name, bool keep)
    {
        this.adminConnectionString = adminConnectionString;
        this.keep = keep;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>The benchmark's own connections ("another process" as far as the server is concerned).</summary>
    public NpgsqlDataSource DataSource { get; }

    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("EP_BENCH_POSTGRES")
        ?? $"Host=/var/run/postgresql;Database=postgres;Username={Environment.UserName}";

    public static async Task<BenchDatabase> CreateAsync(string? name, bool keep)
    {
        name ??= "ep_bench_" + Guid.NewGuid().ToString("N")[..10];
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", admin) { Parameters = { new() { Value = name } } };
            if (await exists.ExecuteScalarAsync() is not null)
            {
                throw new InvalidOperationException($"Database {name} already exists; the benchmark wants a fresh one.");
            }
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        return new BenchDatabase(AdminConnectionString, name, keep);
    }

    public static string NewJobId()
    {
        Span<char> chars = stackalloc char[16];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[Random.Shared.Next(32)];
        }
        return new string(chars);
    }

    /// <summary>
    /// Inserts PENDING jobs of the anonymous owner with binary COPY, creation times spread evenly over
    /// <paramref name="spread"/> before now. Returns their ids.
    /// </summary>
    public async Task<List<string>> InsertPendingJobsAsync(int count, TimeSpan spread, DateTimeOffset now)
    {
        var ids = new List<string>(count);
        var destruction = now.AddDays(30);
        await using var connection = await DataSource.OpenConnectionAsync();
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY jobs (id, owner_id, phase, phase_changed_at, creation_time, execution_duration, destruction, parameters) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < count; i++)
            {
                var id = NewJobId();
                ids.Add(id);
                var created = now - spread * ((double)(count - i) / count);
                created = new DateTimeOffset(created.Ticks - created.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
                await copy.StartRowAsync();
                await copy.WriteAsync(id, NpgsqlDbType.Text);
                await copy.WriteAsync(string.Empty, NpgsqlDbType.Text);
                await copy.WriteAsync("PENDING", NpgsqlDbType.Text);
                await copy.WriteAsync(created, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(created, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(3600, NpgsqlDbType.Integer);
                await copy.WriteAsync(destruction, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(Parameters, NpgsqlDbType.Jsonb);
            }
            await copy.CompleteAsync();
        }
        await using var analyze = new NpgsqlCommand("ANALYZE jobs", connection);
        await analyze.ExecuteNonQueryAsync();
        return ids;
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        if (keep)
        {
            Console.Error.WriteLine($"Keeping database {Name}.");
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(adminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
        Console.Error.WriteLine($"Dropped database {Name}.");
    }
}
