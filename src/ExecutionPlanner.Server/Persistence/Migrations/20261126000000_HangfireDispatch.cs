using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ExecutionPlanner.Server.Persistence.Migrations;

/// <summary>
/// Jobs run as Hangfire jobs: each QUEUED row records the Hangfire job that runs it. A QUEUED row without one is
/// work not yet handed to Hangfire (a crash between the commit of QUEUED and the enqueue leaves exactly that), so
/// the dispatcher finds it through the partial index and enqueues it. The claim of the oldest QUEUED row is gone,
/// and with it the need for ix_jobs_queued. Hangfire's own tables live in the "hangfire" schema, installed by
/// <see cref="Execution.HangfireSchema"/> after these migrations.
/// </summary>
[DbContext(typeof(UwsDbContext))]
[Migration("20261126000000_HangfireDispatch")]
public sealed class AddHangfireDispatch : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            ALTER TABLE jobs ADD COLUMN hangfire_job_id text;
            DROP INDEX IF EXISTS ix_jobs_queued;
            CREATE INDEX ix_jobs_undispatched ON jobs (queued_at, id) WHERE phase = 'QUEUED' AND hangfire_job_id IS NULL;
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            DROP INDEX IF EXISTS ix_jobs_undispatched;
            CREATE INDEX ix_jobs_queued ON jobs (queued_at, id) WHERE phase = 'QUEUED';
            ALTER TABLE jobs DROP COLUMN hangfire_job_id;
            """);
}
