using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ExecutionPlanner.Server.Persistence.Migrations;

/// <summary>
/// Lets every node keep the capacity ledger in memory and read only what changed since its last
/// read (Planner/LedgerCache.cs). Each row version that can change what the ledger charges carries
/// the id of the transaction that wrote it (<c>ledger_xid</c>, <c>pg_current_xact_id()</c>): set by
/// the column default on insert and by a BEFORE UPDATE trigger on update, so no writer can forget it.
/// A reader remembers the snapshot it read in; a row version it has not seen was written by a
/// transaction that snapshot did not see, whose id is at or above the snapshot's xmax or in its
/// in-progress list. So the next read asks for exactly those ids, whatever order transactions commit
/// in, with no lock on the writers (Planner/LedgerStore.cs). Deleted rows leave a stamped row in
/// <c>planner_ledger_removals</c>; the sweeper prunes old ones and raises <c>planner_ledger_horizon</c>,
/// and a node whose last read is older than that reads everything again.
/// <para>
/// The jobs hot path: a new job (POST /jobs) only evaluates the column default and skips the partial
/// index while PENDING; no trigger runs on insert. The update trigger runs only when a column the
/// ledger reads is written on a job that is or becomes QUEUED, EXECUTING or HELD (not for the
/// heartbeat's lease renewal, nor for a PENDING job's parameters).
/// </para>
/// </summary>
[DbContext(typeof(UwsDbContext))]
[Migration("20261124000000_PlannerLedgerChanges")]
public sealed class PlannerLedgerChanges : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            -- Added without a default, so nothing is rewritten (rows from before stay NULL and are only read
            -- by a whole read); the default then stamps every insert with the inserting transaction's id.
            ALTER TABLE offers ADD COLUMN ledger_xid xid8 NULL;
            ALTER TABLE offers ALTER COLUMN ledger_xid SET DEFAULT pg_current_xact_id();
            ALTER TABLE jobs ADD COLUMN ledger_xid xid8 NULL;
            ALTER TABLE jobs ALTER COLUMN ledger_xid SET DEFAULT pg_current_xact_id();

            CREATE FUNCTION planner_stamp_ledger_xid() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.ledger_xid := pg_current_xact_id();
                RETURN NEW;
            END $$;

            -- Every offer update: offers are the planner's own table, off the job hot path.
            CREATE TRIGGER offers_ledger_stamp
                BEFORE UPDATE ON offers
                FOR EACH ROW EXECUTE FUNCTION planner_stamp_ledger_xid();
            CREATE INDEX ix_offers_ledger_xid ON offers (ledger_xid);

            -- Jobs: only where the ledger cares. A job never returns to PENDING, so the index leaves PENDING
            -- jobs out and still holds every job that is, was or will be charged.
            CREATE TRIGGER jobs_ledger_stamp
                BEFORE UPDATE OF phase, start_time, execution_duration, parameters ON jobs
                FOR EACH ROW WHEN (OLD.phase IN ('QUEUED','EXECUTING','HELD') OR NEW.phase IN ('QUEUED','EXECUTING','HELD'))
                EXECUTE FUNCTION planner_stamp_ledger_xid();
            CREATE INDEX ix_jobs_ledger_xid ON jobs (ledger_xid) WHERE phase <> 'PENDING';

            -- A deleted row cannot be stamped: what the ledger charged leaves a removal behind instead.
            CREATE TABLE planner_ledger_removals (
                kind       text NOT NULL CHECK (kind IN ('job','offer')),
                id         text NOT NULL,
                ledger_xid xid8 NOT NULL DEFAULT pg_current_xact_id()
            );
            CREATE INDEX ix_planner_ledger_removals_xid ON planner_ledger_removals (ledger_xid);

            CREATE FUNCTION planner_record_ledger_removal() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO planner_ledger_removals (kind, id) VALUES (TG_ARGV[0], OLD.id);
                RETURN OLD;
            END $$;
            CREATE TRIGGER jobs_ledger_removal
                AFTER DELETE ON jobs
                FOR EACH ROW WHEN (OLD.phase IN ('QUEUED','EXECUTING','HELD'))
                EXECUTE FUNCTION planner_record_ledger_removal('job');
            CREATE TRIGGER offers_ledger_removal
                AFTER DELETE ON offers
                FOR EACH ROW WHEN (OLD.phase = 'OFFERED')
                EXECUTE FUNCTION planner_record_ledger_removal('offer');

            -- Removals below this transaction id have been pruned: a reader whose last snapshot's xmin is
            -- lower may have missed one and reads everything again.
            CREATE TABLE planner_ledger_horizon (
                single                boolean PRIMARY KEY DEFAULT true CHECK (single),
                removals_pruned_below xid8 NOT NULL
            );
            INSERT INTO planner_ledger_horizon (removals_pruned_below) VALUES ('0');
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP TABLE planner_ledger_horizon;
            DROP TRIGGER offers_ledger_removal ON offers;
            DROP TRIGGER jobs_ledger_removal ON jobs;
            DROP FUNCTION planner_record_ledger_removal();
            DROP TABLE planner_ledger_removals;
            DROP INDEX ix_jobs_ledger_xid;
            DROP TRIGGER jobs_ledger_stamp ON jobs;
            DROP INDEX ix_offers_ledger_xid;
            DROP TRIGGER offers_ledger_stamp ON offers;
            DROP FUNCTION planner_stamp_ledger_xid();
            ALTER TABLE jobs DROP COLUMN ledger_xid;
            ALTER TABLE offers DROP COLUMN ledger_xid;
            """);
    }
}
