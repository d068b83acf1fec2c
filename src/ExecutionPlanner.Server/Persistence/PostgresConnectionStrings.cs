using System.Data.Common;
using Npgsql;

namespace ExecutionPlanner.Server.Persistence;

/// <summary>
/// What the server adds to the operator's connection string before any pool (ours, Hangfire's, the listener's) is
/// built from it.
/// </summary>
/// <remarks>
/// Automatic preparation: a statement sent twice on a connection is prepared on the server (up to
/// <see cref="MaxAutoPrepare"/> per connection), so PostgreSQL stops parsing and planning it. A job runs the same
/// few dozen statements every time, ours and Hangfire's; in the 4-slot execution benchmark PostgreSQL's CPU per job
/// fell by about a quarter (docs/benchmarks-execution.md). A pooled connection that holds prepared statements is also
/// reset without <c>DISCARD ALL</c> (Npgsql then sends the individual resets, which keep them).
/// An explicit <c>Max Auto Prepare</c> in the operator's string wins: 0 turns preparation off, which a PgBouncer in
/// transaction mode older than 1.21 needs.
/// </remarks>
public static class PostgresConnectionStrings
{
    public const int MaxAutoPrepare = 64;
    public const int AutoPrepareMinUsages = 2;

    public static string WithServerDefaults(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var written = Names(connectionString);
        if (!written.Contains("maxautoprepare"))
        {
            builder.MaxAutoPrepare = MaxAutoPrepare;
            if (!written.Contains("autoprepareminusages"))
            {
                builder.AutoPrepareMinUsages = AutoPrepareMinUsages;
            }
        }
        return builder.ConnectionString;
    }

    // The keys the operator wrote, without spaces and case: Npgsql accepts "Max Auto Prepare" and "MaxAutoPrepare".
    static HashSet<string> Names(string connectionString) =>
        new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(key => key.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant())
            .ToHashSet(StringComparer.Ordinal);
}
