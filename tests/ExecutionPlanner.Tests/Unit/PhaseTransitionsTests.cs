using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Tests.Unit;

[Parallelizable(ParallelScope.Children)]
public sealed class PhaseTransitionsTests
{
    static readonly ExecutionPhase[] AllPhases = Enum.GetValues<ExecutionPhase>();

    [TestCase(ExecutionPhase.PENDING)]
    [TestCase(ExecutionPhase.HELD)]
    public void RUN_moves_a_pending_or_held_job_to_queued(ExecutionPhase from)
    {
        Assert.That(PhaseTransitions.Runnable, Does.Contain(from));
        Assert.That(PhaseTransitions.IsAllowed(from, ExecutionPhase.QUEUED), Is.True);
    }

    [Test]
    public void RUN_applies_to_no_other_phase()
    {
        var others = AllPhases.Except([ExecutionPhase.PENDING, ExecutionPhase.HELD]);
        Assert.That(others.Where(p => PhaseTransitions.Runnable.Contains(p)), Is.Empty);
    }

    [TestCase(ExecutionPhase.PENDING)]
    [TestCase(ExecutionPhase.QUEUED)]
    [TestCase(ExecutionPhase.EXECUTING)]
    [TestCase(ExecutionPhase.HELD)]
    [TestCase(ExecutionPhase.SUSPENDED)]
    public void ABORT_moves_every_active_phase_to_aborted(ExecutionPhase from)
    {
        Assert.That(PhaseTransitions.Abortable, Does.Contain(from));
        Assert.That(PhaseTransitions.IsAllowed(from, ExecutionPhase.ABORTED), Is.True);
        Assert.That(PhaseTransitions.IsTerminal(from), Is.False);
    }

    [TestCase(ExecutionPhase.COMPLETED)]
    [TestCase(ExecutionPhase.ERROR)]
    [TestCase(ExecutionPhase.ABORTED)]
    [TestCase(ExecutionPhase.ARCHIVED)]
    public void Terminal_phases_are_not_abortable_runnable_or_active(ExecutionPhase phase)
    {
        Assert.Multiple(() =>
        {
            Assert.That(PhaseTransitions.IsTerminal(phase), Is.True);
            Assert.That(PhaseTransitions.Abortable, Does.Not.Contain(phase));
            Assert.That(PhaseTransitions.Runnable, Does.Not.Contain(phase));
            Assert.That(PhaseTransitions.Active, Does.Not.Contain(phase));
        });
    }

    [TestCase(ExecutionPhase.COMPLETED)]
    [TestCase(ExecutionPhase.ERROR)]
    [TestCase(ExecutionPhase.ABORTED)]
    public void An_ended_job_can_only_be_archived(ExecutionPhase phase) =>
        Assert.That(AllPhases.Where(to => PhaseTransitions.IsAllowed(phase, to)), Is.EqualTo(new[] { ExecutionPhase.ARCHIVED }));

    [Test]
    public void ARCHIVED_has_no_exits() =>
        Assert.That(AllPhases.Where(to => PhaseTransitions.IsAllowed(ExecutionPhase.ARCHIVED, to)), Is.Empty);

    [Test]
    public void The_normal_path_of_a_successful_job_is_allowed()
    {
        Assert.Multiple(() =>
        {
            Assert.That(PhaseTransitions.IsAllowed(ExecutionPhase.PENDING, ExecutionPhase.QUEUED), Is.True);
            Assert.That(PhaseTransitions.IsAllowed(ExecutionPhase.QUEUED, ExecutionPhase.EXECUTING), Is.True);
            Assert.That(PhaseTransitions.IsAllowed(ExecutionPhase.EXECUTING, ExecutionPhase.COMPLETED), Is.True);
            Assert.That(PhaseTransitions.IsAllowed(ExecutionPhase.SUSPENDED, ExecutionPhase.EXECUTING), Is.True);
        });
    }

    [Test]
    public void No_phase_goes_back_to_pending_and_a_pending_job_cannot_complete_by_itself()
    {
        Assert.That(AllPhases.Where(from => PhaseTransitions.IsAllowed(from, ExecutionPhase.PENDING)), Is.Empty);
        Assert.That(PhaseTransitions.IsAllowed(ExecutionPhase.PENDING, ExecutionPhase.COMPLETED), Is.False);
        Assert.That(PhaseTransitions.IsAllowed(ExecutionPhase.PENDING, ExecutionPhase.EXECUTING), Is.False);
    }

    [Test]
    public void Every_phase_has_an_entry_in_the_table() =>
        Assert.That(() => AllPhases.Select(p => PhaseTransitions.IsAllowed(p, ExecutionPhase.ARCHIVED)).ToList(), Throws.Nothing);
}
