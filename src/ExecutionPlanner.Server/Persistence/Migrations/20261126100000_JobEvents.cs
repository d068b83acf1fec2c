using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ExecutionPlanner.Server.Persistence.Migrations;

/// <summary>
/// The live events of jobs (Jobs/Events): a second trigger announces, on channel uws_job_event, every phase
/// change (a new job too, PENDING included, so that a caller's job list stream sees it), every appended
/// message and every deletion, as JSON that carries the owner (the job list stream routes by owner without
/// reading the row). Fired inside the writing transaction, so each is delivered when the change commits,
/// to every node. The older uws_job_change channel (blocking WAIT, the dispatcher) is left as it was.
/// A payload stays far below PostgreSQL's 8000-byte limit: a message is at most 1000 characters.
/// </summary>
[DbContext(typeof(UwsDbContext))]
[Migration("20261126100000_JobEvents")]
public sealed class AddJobEvents : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE FUNCTION uws_notify_job_event() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                m jsonb;
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    PERFORM pg_notify('uws_job_event', json_build_object('k', 'd', 'id', OLD.id, 'o', OLD.owner_id)::text);
                    RETURN OLD;
                END IF;
                IF TG_OP = 'INSERT' OR NEW.phase IS DISTINCT FROM OLD.phase THEN
                    PERFORM pg_notify('uws_job_event', json_build_object('k', 'p', 'id', NEW.id, 'o', NEW.owner_id, 'p', NEW.phase,
                        't', to_char(NEW.phase_changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text);
                END IF;
                IF TG_OP = 'UPDATE' AND jsonb_array_length(NEW.messages) > jsonb_array_length(OLD.messages) THEN
                    FOR m IN SELECT e.value FROM jsonb_array_elements(NEW.messages) WITH ORDINALITY AS e(value, n)
                              WHERE e.n > jsonb_array_length(OLD.messages) LOOP
                        PERFORM pg_notify('uws_job_event', json_build_object('k', 'm', 'id', NEW.id, 'o', NEW.owner_id,
                            't', m ->> 'Time', 'x', left(m ->> 'Text', 1000))::text);
                    END LOOP;
                END IF;
                RETURN NEW;
            END $$;

            CREATE TRIGGER jobs_notify_event
                AFTER INSERT OR UPDATE OF phase, messages OR DELETE ON jobs
                FOR EACH ROW EXECUTE FUNCTION uws_notify_job_event();
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP TRIGGER jobs_notify_event ON jobs;
            DROP FUNCTION uws_notify_job_event();
            """);
    }
}
