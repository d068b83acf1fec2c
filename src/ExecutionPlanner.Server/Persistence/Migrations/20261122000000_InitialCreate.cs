using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ExecutionPlanner.Server.Persistence.Migrations;

/// <summary>
/// The jobs table (which is also the execution queue), the files kept with jobs, and the trigger
/// that announces phase changes with NOTIFY. The trigger fires inside the writing transaction, so a
/// notification is delivered exactly when the change commits, whichever process made it.
/// </summary>
[DbContext(typeof(UwsDbContext))]
[Migration("20261122000000_InitialCreate")]
public sealed class InitialCreate : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE jobs (
                id                 text PRIMARY KEY,
                owner_id           text NOT NULL,
                run_id             text NULL,
                phase              text NOT NULL,
                phase_changed_at   timestamptz(3) NOT NULL,
                creation_time      timestamptz(3) NOT NULL,
                start_time         timestamptz(3) NULL,
                end_time           timestamptz(3) NULL,
                execution_duration integer NOT NULL CHECK (execution_duration >= 0),
                destruction        timestamptz(3) NOT NULL,
                quote              timestamptz(3) NULL,
                parameters         jsonb NOT NULL,
                error_summary      text NULL,
                error_is_transient boolean NOT NULL DEFAULT false,
                error_detail       text NULL,
                queued_at          timestamptz(3) NULL,
                attempt            integer NOT NULL DEFAULT 0,
                lease_token        uuid NULL,
                lease_owner        text NULL,
                lease_expires_at   timestamptz(3) NULL,
                exit_code          integer NULL,
                container_id       text NULL,
                container_started_at timestamptz(3) NULL,
                CONSTRAINT jobs_phase_check CHECK (phase IN ('PENDING','QUEUED','EXECUTING','COMPLETED','ERROR',
                    'ABORTED','UNKNOWN','HELD','SUSPENDED','ARCHIVED'))
            );
            -- The job list: an owner's jobs, newest first (LAST, AFTER, streaming the whole list).
            CREATE INDEX ix_jobs_owner_creation ON jobs (owner_id, creation_time DESC, id DESC);
            -- The queue: claim the oldest QUEUED job.
            CREATE INDEX ix_jobs_queued ON jobs (queued_at, id) WHERE phase = 'QUEUED';
            -- The reaper: leases that ran out.
            CREATE INDEX ix_jobs_lease ON jobs (lease_expires_at) WHERE phase = 'EXECUTING';
            -- The destruction sweeper.
            CREATE INDEX ix_jobs_destruction ON jobs (destruction);

            CREATE TABLE job_files (
                job_id    text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
                kind      text NOT NULL CHECK (kind IN ('Input','Result')),
                name      text NOT NULL,
                mime_type text NOT NULL,
                size      bigint NOT NULL,
                content   bytea NOT NULL,
                PRIMARY KEY (job_id, kind, name)
            );

            -- Payload "<job id> <new phase>", or "<job id> DELETED". A new PENDING job is not announced:
            -- nothing waits for a job that does not exist yet, and creation stays cheap.
            CREATE FUNCTION uws_notify_job_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    PERFORM pg_notify('uws_job_change', OLD.id || ' DELETED');
                    RETURN OLD;
                END IF;
                IF (TG_OP = 'INSERT' AND NEW.phase <> 'PENDING')
                   OR (TG_OP = 'UPDATE' AND NEW.phase IS DISTINCT FROM OLD.phase) THEN
                    PERFORM pg_notify('uws_job_change', NEW.id || ' ' || NEW.phase);
                END IF;
                RETURN NEW;
            END $$;

            CREATE TRIGGER jobs_notify_change
                AFTER INSERT OR UPDATE OF phase OR DELETE ON jobs
                FOR EACH ROW EXECUTE FUNCTION uws_notify_job_change();
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP TABLE job_files;
            DROP TABLE jobs;
            DROP FUNCTION uws_notify_job_change();
            """);
    }
}
