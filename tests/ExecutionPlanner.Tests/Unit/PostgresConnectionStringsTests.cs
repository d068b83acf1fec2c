using ExecutionPlanner.Server.Persistence;
using Npgsql;

namespace ExecutionPlanner.Tests.Unit;

public sealed class PostgresConnectionStringsTests
{
    [Test]
    public void Statements_are_prepared_automatically_unless_the_operator_says_otherwise()
    {
        var result = new NpgsqlConnectionStringBuilder(
            PostgresConnectionStrings.WithServerDefaults("Host=db.example;Database=uws;Username=ep;Password=p4ss;Maximum Pool Size=7"));

        Assert.Multiple(() =>
        {
            Assert.That(result.MaxAutoPrepare, Is.EqualTo(PostgresConnectionStrings.MaxAutoPrepare));
            Assert.That(result.AutoPrepareMinUsages, Is.EqualTo(PostgresConnectionStrings.AutoPrepareMinUsages));
            // Everything the operator wrote is kept.
            Assert.That(result.Host, Is.EqualTo("db.example"));
            Assert.That(result.Database, Is.EqualTo("uws"));
            Assert.That(result.Username, Is.EqualTo("ep"));
            Assert.That(result.Password, Is.EqualTo("p4ss"));
            Assert.That(result.MaxPoolSize, Is.EqualTo(7));
        });
    }

    [TestCase("Host=h;Max Auto Prepare=0", 0, 5, TestName = "Max Auto Prepare=0 turns it off (PgBouncer)")]
    [TestCase("Host=h;maxautoprepare=10", 10, 5, TestName = "the spelling without spaces counts too")]
    [TestCase("Host=h;MAX AUTO PREPARE=3;Auto Prepare Min Usages=9", 3, 9, TestName = "both of the operator's values are kept")]
    public void An_explicit_Max_Auto_Prepare_wins(string configured, int maxAutoPrepare, int minUsages)
    {
        var result = new NpgsqlConnectionStringBuilder(PostgresConnectionStrings.WithServerDefaults(configured));

        Assert.Multiple(() =>
        {
            Assert.That(result.MaxAutoPrepare, Is.EqualTo(maxAutoPrepare));
            // Npgsql's own default (5) stands when the operator set the cap but not the usages.
            Assert.That(result.AutoPrepareMinUsages, Is.EqualTo(minUsages));
        });
    }
}
