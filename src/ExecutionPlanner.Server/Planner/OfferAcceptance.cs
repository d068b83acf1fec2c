using ExecutionPlanner.Server.Http;
using System.Text.Json;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// Accepting an offer, in one transaction: OFFERED -> ACCEPTED (compare-and-set, only while open),
/// its open siblings -> REJECTED (their capacity is free from the commit on), and a UWS job with the
/// offer's image, command, environment and limits, executionDuration the offered duration and quote
/// the offered end. The job is QUEUED when its slot has come and HELD until then (the
/// <see cref="OfferSweeper"/> queues it at the slot). If the process dies before the commit the offer
/// is still open and no job exists; after it, the job is durable and the offer names it.
/// </summary>
public sealed class OfferAcceptance(UwsDbContext db, IOptionsMonitor<JobsOptions> jobs, TimeProvider clock)
{
    public async Task<Offer> AcceptAsync(string offerId, string ownerId, CancellationToken ct)
    {
        var now = UwsTime.Truncate(clock.GetUtcNow());
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var transaction = (NpgsqlTransaction)tx.GetDbTransaction();

        await using var accept = new NpgsqlCommand("""
            UPDATE offers SET phase = 'ACCEPTED'
             WHERE id = @id AND owner_id = @owner AND phase = 'OFFERED' AND expires > @now
            RETURNING id, offer_set_id, owner_id, phase, created, expires, start_time, start_latest,
                      duration_seconds, cores, memory_bytes, storage_bytes, job_id
            """, connection, transaction);
        accept.Parameters.AddWithValue("id", offerId);
        accept.Parameters.AddWithValue("owner", ownerId);
        accept.Parameters.AddWithValue("now", now);
        var offer = (await OfferStore.ReadOffersAsync(accept, ct)).FirstOrDefault();
        if (offer is null)
        {
            var current = await OfferStore.GetOfferAsync(connection, transaction, offerId, ownerId, ct)
                ?? throw UwsRequestException.NotFound($"No offer '{offerId}'.");
            throw new UwsRequestException(StatusCodes.Status409Conflict,
                $"Offer '{offerId}' is {current.PhaseAt(now)} and can no longer be accepted.");
        }

        await using (var siblings = new NpgsqlCommand(
            "UPDATE offers SET phase = 'REJECTED' WHERE offer_set_id = @set AND id <> @id AND phase = 'OFFERED'", connection, transaction))
        {
            siblings.Parameters.AddWithValue("set", offer.OfferSetId);
            siblings.Parameters.AddWithValue("id", offer.Id);
            await siblings.ExecuteNonQueryAsync(ct);
        }
        TaskRequest task;
        await using (var read = new NpgsqlCommand("SELECT task::text FROM offer_sets WHERE id = @set", connection, transaction))
        {
            read.Parameters.AddWithValue("set", offer.OfferSetId);
            task = JsonSerializer.Deserialize<TaskRequest>((string)(await read.ExecuteScalarAsync(ct))!, OfferStore.Json)!;
        }

        var held = offer.Start > now;
        var quote = UwsTime.Truncate(offer.End);
        var job = new JobEntity
        {
            Id = JobIds.New(),
            OwnerId = offer.OwnerId,
            RunId = task.Name is { Length: > 0 and <= 256 } name ? name : null,
            Phase = held ? ExecutionPhase.HELD : ExecutionPhase.QUEUED,
            PhaseChangedAt = now,
            CreationTime = now,
            QueuedAt = held ? null : now,
            ExecutionDuration = offer.DurationSeconds,
            Quote = quote,
            Destruction = quote + jobs.CurrentValue.DefaultLifetime,
            Parameters = OfferSetPlanner.JobParameters(task, offer.Cores, offer.MemoryBytes),
        };
        await db.InsertJobAsync(job, ct);

        await using (var link = new NpgsqlCommand("UPDATE offers SET job_id = @job WHERE id = @id", connection, transaction))
        {
            link.Parameters.AddWithValue("job", job.Id);
            link.Parameters.AddWithValue("id", offer.Id);
            await link.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return offer with { Phase = OfferPhase.ACCEPTED, JobId = job.Id };
    }
}
