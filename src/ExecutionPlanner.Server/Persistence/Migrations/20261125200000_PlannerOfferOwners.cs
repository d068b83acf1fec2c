using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ExecutionPlanner.Server.Persistence.Migrations;

/// <summary>
/// The per-owner cap on unaccepted offered capacity (Planner/OfferStore.cs) sums one owner's open
/// offers under the ledger lock on every booking; this index answers that sum from the index alone.
/// </summary>
[DbContext(typeof(UwsDbContext))]
[Migration("20261125200000_PlannerOfferOwners")]
public sealed class PlannerOfferOwners : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE INDEX ix_offers_owner_open ON offers (owner_id, expires) INCLUDE (cores, memory_bytes) WHERE phase = 'OFFERED';
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP INDEX ix_offers_owner_open;");
    }
}
