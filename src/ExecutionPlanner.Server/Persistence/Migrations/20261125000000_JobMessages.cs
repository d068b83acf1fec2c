using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ExecutionPlanner.Server.Persistence.Migrations;

/// <summary>
/// A job's own messages (<see cref="JobMessage"/>): a jsonb array on the job row, so every read of a job
/// (the document, WAIT) has them with no extra query, and an append is one UPDATE in the writer's own
/// transaction. A constant default ('[]') is only catalogue data in PostgreSQL 11+, so adding the column
/// rewrites nothing. Not a column the ledger reads, so the ledger trigger ignores it.
/// </summary>
[DbContext(typeof(UwsDbContext))]
[Migration("20261125000000_JobMessages")]
public sealed class AddJobMessages : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE jobs ADD COLUMN messages jsonb NOT NULL DEFAULT '[]'::jsonb;");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE jobs DROP COLUMN messages;");
}
