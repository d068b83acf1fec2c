using System.Text.Json;
using ExecutionPlanner.Server.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace ExecutionPlanner.Server.Jobs.Store;

/// <summary>
/// The UWS side of running a job: the claim of a QUEUED job that Hangfire delivered (a compare-and-set in one
/// short statement), then a lease renewed by heartbeat. Every later write names the lease token (the fence), so a
/// node that lost its lease changes nothing. Raw SQL, for the RETURNING of what the run needs.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is the execution queue; the name says so.")]
public sealed class RunQueue(NpgsqlDataSource dataSource, TimeProvider clock)
{
    const string Returning = "id, attempt, lease_token, execution_duration, parameters::text, container_id, container_started_at";

    /// <summary>
    /// Claims the QUEUED job <paramref name="jobId"/> for this node: QUEUED -> EXECUTING with a fresh lease token,
    /// committed before this returns; null when the job is not QUEUED (another delivery claimed it, it was
    /// aborted, or it is gone). If the process dies after the commit, the lease runs out and the reaper settles
    /// the job; nothing else can claim it meanwhile.
    /// </summary>
    public async Task<ClaimedJob?> ClaimByIdAsync(string jobId, string node, TimeSpan lease, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var command = dataSource.CreateCommand($"""
            UPDATE jobs
               SET phase = 'EXECUTING', phase_changed_at = $1, start_time = $1, attempt = attempt + 1,
                   lease_token = $2, lease_owner = $3, lease_expires_at = $4,
                   container_id = NULL, container_started_at = NULL, exit_code = NULL
             WHERE id = $5 AND phase = 'QUEUED'
            RETURNING {Returning}, queued_at,
                      EXISTS (SELECT 1 FROM job_files f WHERE f.job_id = jobs.id AND f.kind = 'Input') AS has_inputs
            """);
        command.Parameters.Add(Time(now));
        command.Parameters.Add(new NpgsqlParameter { Value = Guid.NewGuid() });
        command.Parameters.Add(new NpgsqlParameter { Value = node });
        command.Parameters.Add(Time(now + lease));
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        return (await ReadAsync(command, ct)).SingleOrDefault();
    }

    /// <summary>Renews the leases this node holds; returns the tokens still valid (the others were lost).</summary>
    public async Task<HashSet<Guid>> RenewAsync(IReadOnlyCollection<Guid> tokens, TimeSpan lease, CancellationToken ct)
    {
        var renewed = new HashSet<Guid>();
        if (tokens.Count == 0)
        {
            return renewed;
        }
        await using var command = dataSource.CreateCommand(
            "UPDATE jobs SET lease_expires_at = $1 WHERE lease_token = ANY($2) AND phase = 'EXECUTING' RETURNING lease_token");
        command.Parameters.Add(Time(clock.GetUtcNow() + lease));
        command.Parameters.Add(new NpgsqlParameter { Value = tokens.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            renewed.Add(reader.GetGuid(0));
        }
        return renewed;
    }

    /// <summary>Records the container of this attempt (fenced). False: the lease is gone.</summary>
    public Task<bool> MarkContainerAsync(string jobId, Guid token, string containerId, CancellationToken ct) =>
        ExecuteFencedAsync("UPDATE jobs SET container_id = $3 WHERE id = $1 AND lease_token = $2 AND phase = 'EXECUTING'",
            jobId, token, new NpgsqlParameter { Value = containerId }, ct);

    /// <summary>
    /// Records, before the start call, the container and that it may run from now on (fenced). A reaper
    /// that finds container_started_at unset knows the job never ran and may queue it again without
    /// running it twice.
    /// </summary>
    public async Task<bool> MarkStartingAsync(string jobId, Guid token, string containerId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE jobs SET container_id = $3, container_started_at = $4 WHERE id = $1 AND lease_token = $2 AND phase = 'EXECUTING'");
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        command.Parameters.Add(new NpgsqlParameter { Value = token });
        command.Parameters.Add(new NpgsqlParameter { Value = containerId });
        command.Parameters.Add(Time(clock.GetUtcNow()));
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// Takes over EXECUTING jobs whose lease ran out (their node died or lost the database), or, with
    /// <paramref name="ownLeftoversOf"/>, this node's own jobs from before a restart. Each takeover is a
    /// fenced swap of the token, so two reapers never reconcile the same job.
    /// </summary>
    /// <param name="onlyJob">When given, only that job is considered (a Hangfire redelivery settling its own job).</param>
    /// <returns>Each job taken over, with the node that held it before.</returns>
    public async Task<List<(ClaimedJob Job, string? FormerNode)>> TakeOverAsync(
        string node, TimeSpan lease, string? ownLeftoversOf, int limit, CancellationToken ct, string? onlyJob = null)
    {
        var now = clock.GetUtcNow();
        var candidates = new List<(string Id, Guid Token, string? Owner)>();
        await using (var select = dataSource.CreateCommand(ownLeftoversOf is null
            ? "SELECT id, lease_token, lease_owner FROM jobs WHERE phase = 'EXECUTING' AND lease_expires_at < $1 AND ($4::text IS NULL OR id = $4) ORDER BY lease_expires_at LIMIT $2"
            : "SELECT id, lease_token, lease_owner FROM jobs WHERE phase = 'EXECUTING' AND lease_owner = $3 AND ($4::text IS NULL OR id = $4) LIMIT $2"))
        {
            select.Parameters.Add(Time(now));
            select.Parameters.Add(new NpgsqlParameter { Value = limit });
            select.Parameters.Add(new NpgsqlParameter { Value = ownLeftoversOf ?? string.Empty });
            select.Parameters.Add(new NpgsqlParameter { Value = (object?)onlyJob ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                candidates.Add((reader.GetString(0), reader.IsDBNull(1) ? Guid.Empty : reader.GetGuid(1),
                    reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
        }
        var taken = new List<(ClaimedJob, string?)>();
        foreach (var (id, old, owner) in candidates)
        {
            await using var swap = dataSource.CreateCommand($"""
                UPDATE jobs SET lease_token = $3, lease_owner = $4, lease_expires_at = $5
                 WHERE id = $1 AND lease_token IS NOT DISTINCT FROM $2 AND phase = 'EXECUTING'
                RETURNING {Returning}
                """);
            swap.Parameters.Add(new NpgsqlParameter { Value = id });
            swap.Parameters.Add(new NpgsqlParameter { Value = old == Guid.Empty ? DBNull.Value : old, NpgsqlDbType = NpgsqlDbType.Uuid });
            swap.Parameters.Add(new NpgsqlParameter { Value = Guid.NewGuid() });
            swap.Parameters.Add(new NpgsqlParameter { Value = node });
            swap.Parameters.Add(Time(now + lease));
            taken.AddRange((await ReadAsync(swap, ct)).Select(j => (j, owner)));
        }
        return taken;
    }

    /// <summary>
    /// The job's phase and whether <paramref name="token"/> is still its lease token; null when the job is gone.
    /// What a running job learns from the database about why it should stop (Execution/StopReasons).
    /// </summary>
    public async Task<(string Phase, bool Mine)?> ReadLeaseAsync(string jobId, Guid token, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT phase, lease_token FROM jobs WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }
        var phase = reader.GetString(0);
        var mine = !reader.IsDBNull(1) && reader.GetGuid(1) == token;
        return (phase, mine);
    }

    /// <summary>The attempt of each of <paramref name="jobIds"/> that is EXECUTING (a container of an earlier attempt, or of a job not listed, is an orphan).</summary>
    public async Task<Dictionary<string, int>> ExecutingAttemptsAsync(string[] jobIds, CancellationToken ct)
    {
        var executing = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var command = dataSource.CreateCommand("SELECT id, attempt FROM jobs WHERE id = ANY($1) AND phase = 'EXECUTING'"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = jobIds });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                executing[reader.GetString(0)] = reader.GetInt32(1);
            }
        }
        return executing;
    }

    async Task<bool> ExecuteFencedAsync(string sql, string jobId, Guid token, NpgsqlParameter value, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        command.Parameters.Add(new NpgsqlParameter { Value = token });
        command.Parameters.Add(value);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    static async Task<List<ClaimedJob>> ReadAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var jobs = new List<ClaimedJob>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            jobs.Add(new ClaimedJob(
                reader.GetString(0),
                reader.GetInt32(1),
                reader.GetGuid(2),
                reader.GetInt32(3),
                JsonSerializer.Deserialize<List<JobParameter>>(reader.GetString(4)) ?? [],
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6))
            {
                // Only the claim returns queued_at and has_inputs (an eighth and a ninth column).
                QueuedAt = reader.FieldCount > 7 && !reader.IsDBNull(7) ? reader.GetFieldValue<DateTimeOffset>(7) : null,
                HasInputs = reader.FieldCount <= 8 || reader.GetBoolean(8),
            });
        }
        return jobs;
    }

    static NpgsqlParameter Time(DateTimeOffset t) =>
        new() { Value = Jobs.UwsTime.Truncate(t), NpgsqlDbType = NpgsqlDbType.TimestampTz };
}
