using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ExecutionPlanner.Server.Persistence.Migrations;

/// <summary>
/// Lets every node keep the capacity ledger in memory and read only what changed since its last
/// read (Planner/LedgerCache.cs). Each write that can change what the ledger charges stamps the row
/// with the id of the writing transaction (<c>ledger_xid</c>, from <c>pg_current_xact_id()</c>, in a
/// BEFORE trigger, so no writer can forget it). A reader remembers the snapshot it read in; a row
/// version it has not seen was written by a transaction that snapshot did not see, and such a
/// transaction's id is either at or above the snapshot's xmax or in its in-progress list. So the next
/// read asks for exactly those ids, whatever order transactions commit in, with no lock on the writers.
/// Deleted rows leave a stamped row in <c>planner_ledger_removals</c>; the sweeper prunes old ones and
/// raises <c>planner_ledger_horizon</c>, and a node whose last read is older than that reads everything again.
/// </summary>
[DbContext(typeof(UwsDbContext))]
[Migration("20261124000000_PlannerLedgerChanges")]
public sealed class PlannerLedgerChanges : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            -- Nullable, so adding them rewrites nothing; rows from before stay NULL and are only read by a full load.
            ALTER TABLE offers ADD COLUMN ledger_xid xid8 NULL;
            ALTER TABLE jobs ADD COLUMN ledger_xid xid8 NULL;

            CREATE FUNCTION planner_stamp_ledger_xid() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.ledger_xid := pg_current_xact_id();
                RETURN NEW;
            END $$;

            -- Every offer write: offers are the planner's own table, off the job hot path.
            CREATE TRIGGER offers_ledger_stamp
                BEFORE INSERT OR UPDATE ON offers
                FOR EACH ROW EXECUTE FUNCTION planner_stamp_ledger_xid();
            CREATE INDEX ix_offers_ledger_xid ON offers (ledger_xid);

            -- Jobs only where the ledger cares: a row that is or becomes QUEUED, EXECUTING or HELD, when a
            -- column the ledger reads is written. A new PENDING job (POST /jobs) and the heartbeat's lease
            -- renewal never call the function and never enter the index.
            CREATE TRIGGER jobs_ledger_stamp_insert
                BEFORE INSERT ON jobs
                FOR EACH ROW WHEN (NEW.phase IN ('QUEUED','EXECUTING','HELD'))
                EXECUTE FUNCTION planner_stamp_ledger_xid();
            CREATE TRIGGER jobs_ledger_stamp_update
                BEFORE UPDATE OF phase, start_time, execution_duration, parameters ON jobs
                FOR EACH ROW WHEN (OLD.phase IN ('QUEUED','EXECUTING','HELD') OR NEW.phase IN ('QUEUED','EXECUTING','HELD'))
                EXECUTE FUNCTION planner_stamp_ledger_xid();
            CREATE INDEX ix_jobs_ledger_xid ON jobs (ledger_xid) WHERE ledger_xid IS NOT NULL;

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
            DROP TRIGGER jobs_ledger_stamp_update ON jobs;
            DROP TRIGGER jobs_ledger_stamp_insert ON jobs;
            DROP INDEX ix_offers_ledger_xid;
            DROP TRIGGER offers_ledger_stamp ON offers;
            DROP FUNCTION planner_stamp_ledger_xid();
            ALTER TABLE jobs DROP COLUMN ledger_xid;
            ALTER TABLE offers DROP COLUMN ledger_xid;
            """);
    }
}
