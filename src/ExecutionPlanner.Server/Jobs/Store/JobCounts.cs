using Npgsql;

namespace ExecutionPlanner.Server.Jobs.Store;

/// <summary>Cluster-wide counts of the jobs table, for /metrics.</summary>
public static class JobCounts
{
    /// <summary>The count of jobs per phase ("phase", count), on the caller's connection (/metrics reads the offers' counts on the same one).</summary>
    public static NpgsqlCommand ByPhase(NpgsqlConnection connection) => new("SELECT phase, count(*) FROM jobs GROUP BY phase", connection);
}
