using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ExecutionPlanner.Server.Persistence.Migrations;

/// <summary>
/// The latest part of a running job's stdout and stderr (Execution/LiveOutput): written about every quarter second
/// by the node running the job, which alone can read the container's logs from its engine, so that any node can
/// answer GET /jobs/{id}/results/stdout while the job runs. One row per stream, bounded (Execution:LiveOutputTailBytes),
/// overwritten in place; deleted by the running node once the outcome (the full stdout and stderr) is stored, and with the job.
/// </summary>
[DbContext(typeof(UwsDbContext))]
[Migration("20261126100001_JobOutputTails")]
public sealed class AddJobOutputTails : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            CREATE TABLE job_output_tails (
                job_id      text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
                stream      text NOT NULL CHECK (stream IN ('stdout','stderr')),
                content     bytea NOT NULL,
                total_bytes bigint NOT NULL,
                updated_at  timestamptz(3) NOT NULL,
                PRIMARY KEY (job_id, stream)
            );
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP TABLE job_output_tails;");
}
