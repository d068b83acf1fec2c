using System.Globalization;
using System.Text.Json;
using ExecutionPlanner.Server.Execution;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// Reads what holds capacity from the database: open offers (until they expire) and every job that
/// is QUEUED, EXECUTING or HELD, each charged with its limits for its remaining executionDuration:
/// an executing job until its start plus executionDuration, a queued job from now, a held job from
/// its offer's slot. A job made from an offer is charged with the offer's resources; any other job
/// with its cores and memory parameters (or the node's defaults).
/// </summary>
public sealed class LedgerStore(IOptionsMonitor<JobsOptions> jobs, IOptionsMonitor<ExecutionOptions> execution, IOptionsMonitor<PlannerOptions> planner)
{
    const string OpenOffersSql = """
        SELECT start_time, duration_seconds, cores, memory_bytes FROM offers
         WHERE phase = 'OFFERED' AND expires > @now AND start_time < @until
        """;

    const string ActiveJobsSql = """
        SELECT j.phase, j.start_time, j.execution_duration, o.start_time, o.cores, o.memory_bytes,
               CASE WHEN o.id IS NULL THEN j.parameters::text END
          FROM jobs j LEFT JOIN offers o ON o.job_id = j.id
         WHERE j.phase IN ('QUEUED', 'EXECUTING', 'HELD')
        """;

    public async Task<List<Booking>> LoadAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, DateTimeOffset now, DateTimeOffset until, CancellationToken ct)
    {
        var bookings = new List<Booking>();
        await using (var offers = new NpgsqlCommand(OpenOffersSql, connection, tx))
        {
            offers.Parameters.AddWithValue("now", now);
            offers.Parameters.AddWithValue("until", until);
            await using var r = await offers.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var start = r.GetFieldValue<DateTimeOffset>(0);
                bookings.Add(new Booking(start, start.AddSeconds(r.GetInt32(1)), r.GetDecimal(2), r.GetInt64(3)));
            }
        }
        var o = execution.CurrentValue;
        var j = jobs.CurrentValue;
        var unlimited = j.MaxExecutionDuration > 0 ? TimeSpan.FromSeconds(j.MaxExecutionDuration) : planner.CurrentValue.MaxStartHorizon * 2;
        await using (var active = new NpgsqlCommand(ActiveJobsSql, connection, tx))
        {
            await using var r = await active.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var phase = Enum.Parse<ExecutionPhase>(r.GetString(0));
                var duration = r.GetInt32(2) is var seconds && seconds > 0 ? TimeSpan.FromSeconds(seconds) : unlimited;
                var fromOffer = !r.IsDBNull(3);
                var start = phase switch
                {
                    ExecutionPhase.EXECUTING when !r.IsDBNull(1) => r.GetFieldValue<DateTimeOffset>(1),
                    ExecutionPhase.HELD when fromOffer && r.GetFieldValue<DateTimeOffset>(3) > now => r.GetFieldValue<DateTimeOffset>(3),
                    _ => now,
                };
                var end = start + duration;
                if (end <= now)
                {
                    // Over its time but not yet stopped: it holds its limits a little longer.
                    end = now + TimeSpan.FromSeconds(1);
                }
                var (cores, memory) = fromOffer
                    ? (r.GetDecimal(4), r.GetInt64(5))
                    : Limits(r.IsDBNull(6) ? null : r.GetString(6), o, j);
                bookings.Add(new Booking(start, end, cores, memory));
            }
        }
        return bookings;
    }

    static (decimal Cores, long Memory) Limits(string? parametersJson, ExecutionOptions o, JobsOptions j)
    {
        var cores = Math.Min(o.DefaultCores, j.MaxCores);
        var memory = Math.Min(o.DefaultMemoryBytes, j.MaxMemoryBytes);
        if (parametersJson is null)
        {
            return (cores, memory);
        }
        foreach (var p in JsonSerializer.Deserialize<List<JobParameter>>(parametersJson) ?? [])
        {
            if (p.Name == JobParameterContract.Cores
                && decimal.TryParse(p.Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var c) && c > 0)
            {
                cores = c;
            }
            else if (p.Name == JobParameterContract.Memory && MemoryQuantity.TryParse(p.Value, out var m))
            {
                memory = m;
            }
        }
        return (cores, memory);
    }
}
