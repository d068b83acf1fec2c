using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ExecutionPlanner.Server.Persistence.Migrations;

/// <summary>
/// Callbacks (Jobs/Callbacks): an outbox of deliveries. A trigger adds a row, in the very transaction that changes
/// the phase of a job with a callback parameter, so a committed change always has its delivery and a rolled-back one
/// never does, whichever process made it. Every node's sender claims rows with FOR UPDATE SKIP LOCKED and a lease
/// (claimed_until), so each delivery is made by one node; one of a dead node is claimed again when its lease ends.
/// The trigger also announces the row on uws_job_event (kind "c") to wake the senders at once.
/// </summary>
[DbContext(typeof(UwsDbContext))]
[Migration("20261126100002_JobCallbacks")]
public sealed class AddJobCallbacks : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE job_callbacks (
                id              bigserial PRIMARY KEY,
                job_id          text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
                url             text NOT NULL,
                phase           text NOT NULL,
                phase_time      timestamptz(3) NOT NULL,
                attempts        integer NOT NULL DEFAULT 0,
                next_attempt_at timestamptz(3) NOT NULL,
                claimed_until   timestamptz(3) NULL,
                claimed_by      text NULL
            );
            -- One delivery of a job at a time, oldest first: the claim looks for older rows of the same job.
            CREATE INDEX ix_job_callbacks_job ON job_callbacks (job_id, id);
            CREATE INDEX ix_job_callbacks_due ON job_callbacks (next_attempt_at);

            CREATE FUNCTION uws_queue_job_callback() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                target text;
            BEGIN
                IF (TG_OP = 'INSERT' AND NEW.phase <> 'PENDING') OR (TG_OP = 'UPDATE' AND NEW.phase IS DISTINCT FROM OLD.phase) THEN
                    IF NEW.parameters @> '[{"Name": "callback"}]' THEN
                        SELECT p ->> 'Value' INTO target FROM jsonb_array_elements(NEW.parameters) AS p
                         WHERE p ->> 'Name' = 'callback' LIMIT 1;
                        INSERT INTO job_callbacks (job_id, url, phase, phase_time, next_attempt_at)
                             VALUES (NEW.id, target, NEW.phase, NEW.phase_changed_at, NEW.phase_changed_at);
                        PERFORM pg_notify('uws_job_event', json_build_object('k', 'c', 'id', NEW.id, 'o', NEW.owner_id)::text);
                    END IF;
                END IF;
                RETURN NEW;
            END $$;

            CREATE TRIGGER jobs_queue_callback
                AFTER INSERT OR UPDATE OF phase ON jobs
                FOR EACH ROW EXECUTE FUNCTION uws_queue_job_callback();
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP TRIGGER jobs_queue_callback ON jobs;
            DROP FUNCTION uws_queue_job_callback();
            DROP TABLE job_callbacks;
            """);
    }
}
