using ExecutionPlanner.Server.Execution;

namespace ExecutionPlanner.Tests.Unit;

/// <summary>The errorSummary of a container that ended by itself with a non-zero exit code.</summary>
public sealed class ExitSummaryTests
{
    [Test]
    public void A_plain_exit_code_is_given_with_the_tail_of_stderr()
    {
        Assert.That(OutcomeCollector.ExitSummary(3, "one\ntwo\n"), Is.EqualTo("Exit code 3. Last lines of stderr:\none\ntwo"));
        Assert.That(OutcomeCollector.ExitSummary(4, " \n"), Is.EqualTo("Exit code 4. stderr was empty."));
    }

    [Test]
    public void A_SIGKILL_the_engine_did_not_report_as_out_of_memory_names_memory_as_the_likely_cause_unconfirmed()
    {
        var summary = OutcomeCollector.ExitSummary(137, "");
        Assert.That(summary, Does.StartWith("Exit code 137: the container was killed (SIGKILL), most likely because it ran out of memory"));
        Assert.That(summary, Does.Contain("the engine did not report an out-of-memory kill").And.Contain("'memory' parameter"));
        Assert.That(summary, Does.EndWith(" stderr was empty."));
    }

    [Test]
    public void Other_signals_are_not_blamed_on_memory()
    {
        Assert.That(OutcomeCollector.ExitSummary(143, "terminated"), Does.Not.Contain("memory"));
    }
}
