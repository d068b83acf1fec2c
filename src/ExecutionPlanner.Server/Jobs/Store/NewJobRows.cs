using ExecutionPlanner.Server.Persistence;
using Npgsql;

namespace ExecutionPlanner.Server.Jobs.Store;

/// <summary>
/// Writes new jobs and their uploads in one transaction with two statements whatever the number of
/// jobs (arrays unnested server-side), so a batch costs one round trip and one WAL flush at commit.
/// Raw Npgsql rather than EF: no change tracking and one statement for the batch instead of one per row.
/// </summary>
public static class NewJobRows
{
    const string InsertJobs = """
        INSERT INTO jobs (id, owner_id, run_id, phase, phase_changed_at, creation_time, execution_duration,
                          destruction, parameters, queued_at, messages)
        SELECT j.id, j.owner_id, j.run_id, j.phase, j.phase_changed_at, j.creation_time, j.execution_duration,
               j.destruction, j.parameters::jsonb, j.queued_at, coalesce(j.messages::jsonb, '[]'::jsonb)
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[],
                    $7::integer[], $8::timestamptz[], $9::text[], $10::timestamptz[], $11::text[])
            AS j(id, owner_id, run_id, phase, phase_changed_at, creation_time, execution_duration,
                 destruction, parameters, queued_at, messages)
        """;

    const string InsertInputs = """
        INSERT INTO job_files (job_id, kind, name, mime_type, size, content)
        SELECT f.job_id, 'Input', f.name, f.mime_type, f.size, f.content
        FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bytea[]) AS f(job_id, name, mime_type, size, content)
        """;

    /// <summary>Inserts the jobs and their inputs and commits; throws (and writes nothing) if any row is refused.</summary>
    public static async Task InsertAsync(NpgsqlDataSource dataSource, IReadOnlyList<PendingCreation> jobs, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(JobsCommand(jobs));
        if (jobs.Any(j => j.Inputs.Count > 0))
        {
            batch.BatchCommands.Add(InputsCommand(jobs));
        }
        // Both statements go out in one round trip; the prepared plan is kept per physical connection.
        await batch.PrepareAsync(ct);
        await batch.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
    }

    static NpgsqlBatchCommand JobsCommand(IReadOnlyList<PendingCreation> jobs)
    {
        var rows = jobs.Select(j => j.Job).ToList();
        return new NpgsqlBatchCommand(InsertJobs)
        {
            Parameters =
            {
                new() { Value = rows.Select(j => j.Id).ToArray() },
                new() { Value = rows.Select(j => j.OwnerId).ToArray() },
                new() { Value = rows.Select(j => j.RunId).ToArray() },
                new() { Value = rows.Select(j => j.Phase.ToString()).ToArray() },
                new() { Value = rows.Select(j => j.PhaseChangedAt.ToUniversalTime()).ToArray() },
                new() { Value = rows.Select(j => j.CreationTime.ToUniversalTime()).ToArray() },
                new() { Value = rows.Select(j => j.ExecutionDuration).ToArray() },
                new() { Value = rows.Select(j => j.Destruction.ToUniversalTime()).ToArray() },
                new() { Value = rows.Select(j => UwsDbContext.SerializeParameters(j.Parameters)).ToArray() },
                new() { Value = rows.Select(j => j.QueuedAt?.ToUniversalTime()).ToArray() },
                new() { Value = rows.Select(j => j.Messages.Count == 0 ? null : UwsDbContext.SerializeMessages(j.Messages)).ToArray() },
            },
        };
    }

    static NpgsqlBatchCommand InputsCommand(IReadOnlyList<PendingCreation> jobs)
    {
        var files = jobs.SelectMany(j => j.Inputs.Select(i => i.ToEntity(j.Job.Id))).ToList();
        return new NpgsqlBatchCommand(InsertInputs)
        {
            Parameters =
            {
                new() { Value = files.Select(f => f.JobId).ToArray() },
                new() { Value = files.Select(f => f.Name).ToArray() },
                new() { Value = files.Select(f => f.MimeType).ToArray() },
                new() { Value = files.Select(f => f.Size).ToArray() },
                new() { Value = files.Select(f => f.Content).ToArray() },
            },
        };
    }
}
