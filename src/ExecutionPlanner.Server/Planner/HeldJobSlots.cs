using ExecutionPlanner.Server.Jobs;
using Npgsql;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// The offered slot a HELD job waits for: a job made from an accepted offer whose start is still to
/// come. PHASE=RUN may not start such a job early, or it would run on capacity sold to someone else.
/// </summary>
public sealed class HeldJobSlots(NpgsqlDataSource dataSource) : IHeldJobSlots
{
    /// <summary>The start of the accepted offer behind the job, or null when the job came from no offer.</summary>
    public async Task<DateTimeOffset?> SlotOfAsync(string jobId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT start_time FROM offers WHERE job_id = $1 AND phase = 'ACCEPTED'");
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? reader.GetFieldValue<DateTimeOffset>(0) : null;
    }
}
