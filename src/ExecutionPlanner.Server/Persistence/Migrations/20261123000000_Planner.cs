using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ExecutionPlanner.Server.Persistence.Migrations;

/// <summary>
/// The planner's tables: offer sets (the task as asked, the answer) and offers (reservations in the
/// capacity ledger, with the job an accepted one created), plus an index over the active jobs the
/// ledger charges. Written with raw SQL by the planner (Planner/OfferStore.cs), not mapped in EF.
/// </summary>
[DbContext(typeof(UwsDbContext))]
[Migration("20261123000000_Planner")]
public sealed class Planner : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE offer_sets (
                id       text PRIMARY KEY,
                owner_id text NOT NULL,
                created  timestamptz(3) NOT NULL,
                expires  timestamptz(3) NOT NULL,
                reasons  jsonb NOT NULL,
                task     jsonb NOT NULL
            );

            CREATE TABLE offers (
                id               text PRIMARY KEY,
                offer_set_id     text NOT NULL REFERENCES offer_sets (id) ON DELETE CASCADE,
                ordinal          integer NOT NULL,
                owner_id         text NOT NULL,
                phase            text NOT NULL CHECK (phase IN ('OFFERED','ACCEPTED','REJECTED','EXPIRED')),
                created          timestamptz(3) NOT NULL,
                expires          timestamptz(3) NOT NULL,
                start_time       timestamptz(3) NOT NULL,
                start_latest     timestamptz(3) NOT NULL,
                duration_seconds integer NOT NULL CHECK (duration_seconds > 0),
                cores            numeric(12,3) NOT NULL CHECK (cores > 0),
                memory_bytes     bigint NOT NULL CHECK (memory_bytes > 0),
                storage_bytes    bigint NULL,
                job_id           text NULL
            );
            CREATE INDEX ix_offers_set ON offers (offer_set_id, ordinal);
            -- The ledger: open offers, and the sweeper: open offers past their expiry.
            CREATE INDEX ix_offers_open ON offers (expires) WHERE phase = 'OFFERED';
            -- The ledger and the held-job release: the offer behind a job.
            CREATE INDEX ix_offers_job ON offers (job_id) WHERE job_id IS NOT NULL;
            -- The ledger charges every job that holds or will hold capacity.
            CREATE INDEX ix_jobs_active ON jobs (phase) WHERE phase IN ('QUEUED','EXECUTING','HELD');
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP INDEX ix_jobs_active;
            DROP TABLE offers;
            DROP TABLE offer_sets;
            """);
    }
}
