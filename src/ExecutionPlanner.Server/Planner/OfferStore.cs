using System.Text.Json;
using ExecutionPlanner.Server.Jobs;
using Npgsql;
using NpgsqlTypes;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// Offer sets and offers in PostgreSQL (raw SQL; the tables are the planner's own). Booking is
/// serialised across every node by a transaction-scoped advisory lock: bring the node's ledger up to
/// date, plan, insert the offers, commit. The lock is taken before the ledger is read, so the read
/// sees every booking any node committed before; no node can book between this read and this commit.
/// If the process dies before the commit nothing was offered; after it, the offers are charged in
/// every node's ledger (each reads them as changes on its next booking) until they expire.
/// Accepting, rejecting and expiring offers, and job phase changes, take no lock: they only move or
/// free capacity already booked, and every node reads them as changes (see <see cref="LedgerStore"/>).
/// </summary>
public sealed class OfferStore(NpgsqlDataSource dataSource, LedgerCache ledger)
{
    /// <summary>Advisory lock key of the capacity ledger ("EPLEDGER").</summary>
    const long LedgerLock = 0x45504C4544474552;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    const string OfferColumns =
        "id, offer_set_id, owner_id, phase, created, expires, start_time, start_latest, duration_seconds, cores, memory_bytes, storage_bytes, job_id";

    /// <summary>The offer's columns and the phase of its job, if it has one (reads only).</summary>
    const string OfferAndJobColumns = OfferColumns + ", (SELECT j.phase FROM jobs j WHERE j.id = offers.job_id)";

    /// <summary>Stores a NO answer (no ledger needed).</summary>
    public async Task<OfferSet> StoreNoAsync(string ownerId, TaskRequest task, IReadOnlyList<Reason> reasons, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var set = new OfferSet(NewId(), ownerId, now, now, reasons, Stored(task), []);
        await InsertSetAsync(connection, null, set, ct);
        return set;
    }

    /// <summary>Plans against the ledger as it is now, under the ledger lock, and stores the answer.</summary>
    /// <param name="cap">Most cores and memory the owner may hold in open offers, counting the ones it already holds.</param>
    public async Task<OfferSet> BookAsync(
        string ownerId, TaskRequest task, Capacity platform, OfferCap cap, DateTimeOffset now,
        DateTimeOffset expires, Func<CapacityLedger, Plan> plan, CancellationToken ct)
    {
        // This node's turn first, so that at most one of its requests waits for the cluster's lock.
        using var turn = await ledger.EnterAsync(ct);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, tx))
        {
            lockCommand.Parameters.AddWithValue("key", LedgerLock);
            await lockCommand.PrepareAsync(ct);
            await lockCommand.ExecuteNonQueryAsync(ct);
        }
        using var ledgerNow = await ledger.ReadAsync(connection, tx, platform, now, ct);
        var result = plan(ledgerNow);
        if (result.Offers.Count > 0)
        {
            // Under the ledger lock, after reading every committed offer, so two requests of one owner
            // cannot both fit under the cap.
            result = Cap(ownerId, cap, ledger.OwnerOffered(ownerId, now), result, () => ledger.OwnerSoonestExpiry(ownerId, now));
        }
        var setId = NewId();
        var offers = result.Offers.Select(o => new Offer(
            NewId(), setId, ownerId, OfferPhase.OFFERED, now, expires, o.Start, o.StartLatest,
            (int)o.Duration.TotalSeconds, o.Cores, o.MemoryBytes, o.StorageBytes, null)).ToList();
        var set = new OfferSet(setId, ownerId, now, offers.Count > 0 ? expires : now, result.Reasons, Stored(task), offers);
        await InsertSetAsync(connection, tx, set, ct);
        await tx.CommitAsync(ct);
        return set;
    }

    /// <summary>
    /// The offers of the plan that fit under the owner's cap with what it already holds open; NO if
    /// none does. An owner that holds no open offer always gets the first offer, so that a job as large
    /// as the platform can still be offered; asking again while holding offers is what the cap stops.
    /// </summary>
    static Plan Cap(string ownerId, OfferCap cap, OwnerOffers held, Plan plan, Func<DateTimeOffset?> soonestExpiry)
    {
        var (cores, memory) = (held.Cores, held.MemoryBytes);
        var kept = new List<PlannedOffer>();
        foreach (var offer in plan.Offers)
        {
            var first = kept.Count == 0 && cores == 0 && memory == 0;
            if (first || (cores + offer.Cores <= cap.Cores && memory + offer.MemoryBytes <= cap.MemoryBytes))
            {
                kept.Add(offer);
                cores += offer.Cores;
                memory += offer.MemoryBytes;
            }
        }
        if (kept.Count > 0)
        {
            return plan with { Offers = kept };
        }
        var soonest = soonestExpiry();
        return Plan.No(new Reason(string.Empty,
            $"This caller already holds open offers for {Normalise(held.Cores)} cores and {Gib(held.MemoryBytes)} GiB; " +
            $"one {(ownerId.Length == 0 ? "anonymous caller" : "owner")} may hold at most {Normalise(cap.Cores)} cores and " +
            $"{Gib(cap.MemoryBytes)} GiB in offers not yet accepted, so that no one can book the platform from everyone else. " +
            $"Accept or reject offers you hold{(soonest is { } t ? $", or ask again after {UwsTime.Format(t)}, when the first of them expires" : string.Empty)}."));
    }

    static decimal Gib(long bytes) => Math.Round(bytes / (1024m * 1024 * 1024), 3);

    /// <summary>Offer sets and offers are named by UUIDs, as the ExecutionBroker drafts' clients expect (/offersets/{uuid}, /sessions/{uuid}).</summary>
    static string NewId() => Guid.NewGuid().ToString();

    /// <summary>Credentials are never stored.</summary>
    static TaskRequest Stored(TaskRequest task) => task with { Authentication = [] };

    static async Task InsertSetAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, OfferSet set, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, tx);
        var insertSet = new NpgsqlBatchCommand(
            "INSERT INTO offer_sets (id, owner_id, created, expires, reasons, task) VALUES ($1, $2, $3, $4, $5, $6)");
        insertSet.Parameters.Add(new NpgsqlParameter { Value = set.Id });
        insertSet.Parameters.Add(new NpgsqlParameter { Value = set.OwnerId });
        insertSet.Parameters.Add(new NpgsqlParameter { Value = set.Created });
        insertSet.Parameters.Add(new NpgsqlParameter { Value = set.Expires });
        insertSet.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(set.Reasons, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        insertSet.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(set.Task, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        batch.BatchCommands.Add(insertSet);
        var ordinal = 0;
        foreach (var o in set.Offers)
        {
            var insert = new NpgsqlBatchCommand(
                $"INSERT INTO offers ({OfferColumns}, ordinal) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)");
            var ps = insert.Parameters;
            ps.Add(new NpgsqlParameter<string> { TypedValue = o.Id });
            ps.Add(new NpgsqlParameter<string> { TypedValue = o.OfferSetId });
            ps.Add(new NpgsqlParameter<string> { TypedValue = o.OwnerId });
            ps.Add(new NpgsqlParameter<string> { TypedValue = o.Phase.ToString() });
            ps.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = o.Created });
            ps.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = o.Expires });
            ps.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = o.Start });
            ps.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = o.StartLatest });
            ps.Add(new NpgsqlParameter<int> { TypedValue = o.DurationSeconds });
            ps.Add(new NpgsqlParameter<decimal> { TypedValue = o.Cores });
            ps.Add(new NpgsqlParameter<long> { TypedValue = o.MemoryBytes });
            ps.Add(new NpgsqlParameter { Value = (object?)o.StorageBytes ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
            ps.Add(new NpgsqlParameter { Value = (object?)o.JobId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            ps.Add(new NpgsqlParameter<int> { TypedValue = ordinal++ });
            batch.BatchCommands.Add(insert);
        }
        await batch.PrepareAsync(ct);
        await batch.ExecuteNonQueryAsync(ct);
    }

    public async Task<OfferSet?> GetSetAsync(string id, string ownerId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT created, expires, reasons::text, task::text FROM offer_sets WHERE id = @id AND owner_id = @owner", connection);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("owner", ownerId);
        OfferSet set;
        await using (var r = await command.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct))
            {
                return null;
            }
            set = new OfferSet(id, ownerId, r.GetFieldValue<DateTimeOffset>(0), r.GetFieldValue<DateTimeOffset>(1),
                JsonSerializer.Deserialize<List<Reason>>(r.GetString(2), Json) ?? [],
                JsonSerializer.Deserialize<TaskRequest>(r.GetString(3), Json)!, []);
        }
        await using var offers = new NpgsqlCommand($"SELECT {OfferAndJobColumns} FROM offers WHERE offer_set_id = @id ORDER BY ordinal", connection);
        offers.Parameters.AddWithValue("id", id);
        return set with { Offers = await ReadOffersAsync(offers, ct) };
    }

    public async Task<Offer?> GetOfferAsync(string id, string ownerId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await GetOfferAsync(connection, null, id, ownerId, ct);
    }

    internal static async Task<Offer?> GetOfferAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string id, string ownerId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT {OfferAndJobColumns} FROM offers WHERE id = @id AND owner_id = @owner", connection, tx);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("owner", ownerId);
        return (await ReadOffersAsync(command, ct)).FirstOrDefault();
    }

    internal static async Task<List<Offer>> ReadOffersAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var offers = new List<Offer>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            offers.Add(new Offer(r.GetString(0), r.GetString(1), r.GetString(2), Enum.Parse<OfferPhase>(r.GetString(3)),
                r.GetFieldValue<DateTimeOffset>(4), r.GetFieldValue<DateTimeOffset>(5), r.GetFieldValue<DateTimeOffset>(6),
                r.GetFieldValue<DateTimeOffset>(7), r.GetInt32(8), Normalise(r.GetDecimal(9)), r.GetInt64(10),
                r.IsDBNull(11) ? null : r.GetInt64(11), r.IsDBNull(12) ? null : r.GetString(12),
                r.FieldCount > 13 && !r.IsDBNull(13) && Enum.TryParse<ExecutionPhase>(r.GetString(13), out var job) ? job : null));
        }
        return offers;
    }

    /// <summary>numeric(12,3) reads back as 2.000; clients and the cores parameter want 2.</summary>
    static decimal Normalise(decimal value) => value / 1.000000000000000000000000000000000m;

    /// <summary>OFFERED -> REJECTED while the offer is open; false if it was not open.</summary>
    public async Task<bool> TryRejectAsync(string id, string ownerId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(
            "UPDATE offers SET phase = 'REJECTED' WHERE id = @id AND owner_id = @owner AND phase = 'OFFERED' AND expires > @now", connection);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("owner", ownerId);
        command.Parameters.AddWithValue("now", now);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Marks open offers past their expiry EXPIRED (the ledger already ignores them); returns how many.</summary>
    public async Task<int> ExpireAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("UPDATE offers SET phase = 'EXPIRED' WHERE phase = 'OFFERED' AND expires <= @now", connection);
        command.Parameters.AddWithValue("now", now);
        return await command.ExecuteNonQueryAsync(ct);
    }
}
