using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Tests.Unit;

[Parallelizable(ParallelScope.Children)]
public sealed class JobControlTests
{
    static readonly JobsOptions Options = new() { MaxExecutionDuration = 86_400, MaxWait = 60 };

    static void AssertRefused(TestDelegate action, string expected)
    {
        var ex = Assert.Throws<UwsRequestException>(action)!;
        Assert.That(ex.StatusCode, Is.EqualTo(400));
        Assert.That(ex.Message, Does.Contain(expected));
    }

    [TestCase("1", 1)]
    [TestCase("120", 120)]
    [TestCase(" 3600 ", 3600)]
    [TestCase("86400", 86_400)]
    [TestCase("86401", 86_400)]
    [TestCase("99999999999999", 86_400)]
    [TestCase("0", 86_400)]
    public void Execution_duration_is_clamped_to_the_maximum_and_0_means_the_maximum(string value, int expected) =>
        Assert.That(JobControl.ParseExecutionDuration(value, Options), Is.EqualTo(expected));

    [Test]
    public void Without_a_maximum_0_stays_unlimited_and_huge_values_saturate()
    {
        var unlimited = new JobsOptions { MaxExecutionDuration = 0 };
        Assert.That(JobControl.ParseExecutionDuration("0", unlimited), Is.Zero);
        Assert.That(JobControl.ParseExecutionDuration("99999999999", unlimited), Is.EqualTo(int.MaxValue));
    }

    [TestCase("-1")]
    [TestCase("ten")]
    [TestCase("1.5")]
    [TestCase("")]
    [TestCase("999999999999999999999")]
    public void An_invalid_execution_duration_is_refused(string value) =>
        AssertRefused(() => JobControl.ParseExecutionDuration(value, Options), "EXECUTIONDURATION");

    [Test]
    public void Destruction_is_clamped_to_creation_plus_the_maximum_lifetime_and_truncated_to_milliseconds()
    {
        var created = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.That(JobControl.ParseDestruction("2026-01-02T00:00:00.1234567Z", created, Options),
            Is.EqualTo(new DateTimeOffset(2026, 1, 2, 0, 0, 0, 123, TimeSpan.Zero)));
        Assert.That(JobControl.ParseDestruction("2999-01-01T00:00:00Z", created, Options), Is.EqualTo(created + Options.MaxLifetime));
        AssertRefused(() => JobControl.ParseDestruction("soon", created, Options), "DESTRUCTION");
    }

    [Test]
    public void No_WAIT_means_no_blocking() => Assert.That(JobControl.ParseWait([], Options), Is.Zero);

    [TestCase("0", 0)]
    [TestCase("5", 5)]
    [TestCase("60", 60)]
    [TestCase("61", 60)]
    [TestCase("2147483647", 60)]
    [TestCase("-1", 60)]
    [TestCase(" 7 ", 7)]
    public void WAIT_is_capped_by_MaxWait_and_minus_1_means_MaxWait(string value, int expected) =>
        Assert.That(JobControl.ParseWait([value], Options), Is.EqualTo(expected));

    [TestCase(new[] { "10", "3", "7" }, 3)]
    [TestCase(new[] { "-1", "5" }, 5)]
    [TestCase(new[] { "100", "-1" }, 60)]
    [TestCase(new[] { "0", "-1" }, 0)]
    public void Several_WAIT_values_keep_the_smallest(string[] values, int expected) =>
        Assert.That(JobControl.ParseWait(values, Options), Is.EqualTo(expected));

    [TestCase("-2")]
    [TestCase("abc")]
    [TestCase("1.5")]
    [TestCase("")]
    [TestCase("99999999999")]
    public void An_invalid_WAIT_is_refused(string value) => AssertRefused(() => JobControl.ParseWait(["5", value], Options), "WAIT");

    [Test]
    public void Control_names_are_case_insensitive() =>
        Assert.That(new[] { "phase", "RunId", "executionDuration", "DESTRUCTION" }.All(JobControl.Names.Contains), Is.True);
}
