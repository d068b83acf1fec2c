using ExecutionPlanner.Server.Execution;
using ExecutionPlanner.Server.Jobs.Store;

namespace ExecutionPlanner.Tests.Unit;

/// <summary>
/// When the guard of /uws sizes measures: once a running job has gone one interval without a measurement (from its
/// claim on), so every job is measured within an interval of its start and every interval after, and none sooner.
/// </summary>
public sealed class ResultsSizeGuardTests
{
    static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void With_no_running_job_it_looks_again_after_one_interval()
    {
        Assert.That(ResultsSizeGuard.UntilNextCheck([], Now, Interval), Is.EqualTo(Interval));
    }

    [Test]
    public void A_job_just_claimed_is_first_measured_one_interval_later()
    {
        using var job = Running(claimedAt: Now);
        Assert.That(ResultsSizeGuard.UntilNextCheck([job], Now, Interval), Is.EqualTo(Interval));
        Assert.That(ResultsSizeGuard.UntilNextCheck([job], Now + Interval - TimeSpan.FromMilliseconds(1), Interval),
            Is.EqualTo(TimeSpan.FromMilliseconds(1)), "not sooner");
        Assert.That(ResultsSizeGuard.UntilNextCheck([job], Now + Interval, Interval), Is.EqualTo(TimeSpan.Zero), "and not later");
    }

    [Test]
    public void The_job_longest_unmeasured_sets_the_time()
    {
        using var young = Running(claimedAt: Now - TimeSpan.FromMilliseconds(300));
        using var older = Running(claimedAt: Now - TimeSpan.FromMilliseconds(1500));
        Assert.That(ResultsSizeGuard.UntilNextCheck([young, older], Now, Interval), Is.EqualTo(TimeSpan.FromMilliseconds(500)));
    }

    [Test]
    public void A_job_overdue_is_measured_at_once_and_a_measurement_restarts_its_interval()
    {
        using var job = Running(claimedAt: Now - TimeSpan.FromSeconds(7));
        Assert.That(ResultsSizeGuard.UntilNextCheck([job], Now, Interval), Is.EqualTo(TimeSpan.Zero));

        job.SizeMeasuredAt = Now;
        Assert.That(ResultsSizeGuard.UntilNextCheck([job], Now + TimeSpan.FromSeconds(0.5), Interval), Is.EqualTo(TimeSpan.FromSeconds(1.5)));
    }

    static RunningJob Running(DateTimeOffset claimedAt) =>
        new(new ClaimedJob(Guid.NewGuid().ToString("N"), 1, Guid.NewGuid(), 0, [], null, null), claimedAt, CancellationToken.None);
}
