using System.Collections.Frozen;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// The whole UWS state machine: which phase may follow which. Client-driven and server-driven edges
/// of the UWS 1.1 state diagram, plus the choices the spec leaves open (checklist C.19): PENDING may
/// go to HELD, ABORT is allowed from HELD and SUSPENDED, and a job whose node died goes from EXECUTING
/// back to QUEUED when its container never started.
/// </summary>
public static class PhaseTransitions
{
    static readonly FrozenDictionary<ExecutionPhase, FrozenSet<ExecutionPhase>> Next =
        new Dictionary<ExecutionPhase, FrozenSet<ExecutionPhase>>
        {
            [ExecutionPhase.PENDING] = Set(ExecutionPhase.QUEUED, ExecutionPhase.HELD, ExecutionPhase.ABORTED, ExecutionPhase.ERROR),
            [ExecutionPhase.QUEUED] = Set(ExecutionPhase.EXECUTING, ExecutionPhase.HELD, ExecutionPhase.ABORTED, ExecutionPhase.ERROR),
            [ExecutionPhase.EXECUTING] = Set(ExecutionPhase.COMPLETED, ExecutionPhase.ERROR, ExecutionPhase.ABORTED,
                ExecutionPhase.HELD, ExecutionPhase.SUSPENDED, ExecutionPhase.QUEUED),
            [ExecutionPhase.HELD] = Set(ExecutionPhase.QUEUED, ExecutionPhase.EXECUTING, ExecutionPhase.ABORTED, ExecutionPhase.ERROR),
            [ExecutionPhase.SUSPENDED] = Set(ExecutionPhase.EXECUTING, ExecutionPhase.ABORTED, ExecutionPhase.ERROR),
            [ExecutionPhase.COMPLETED] = Set(ExecutionPhase.ARCHIVED),
            [ExecutionPhase.ERROR] = Set(ExecutionPhase.ARCHIVED),
            [ExecutionPhase.ABORTED] = Set(ExecutionPhase.ARCHIVED),
            [ExecutionPhase.UNKNOWN] = Set(ExecutionPhase.QUEUED, ExecutionPhase.EXECUTING, ExecutionPhase.COMPLETED,
                ExecutionPhase.ERROR, ExecutionPhase.ABORTED),
            [ExecutionPhase.ARCHIVED] = Set(),
        }.ToFrozenDictionary();

    /// <summary>Phases in which the job may still change by itself: WAIT blocks only in these.</summary>
    public static readonly FrozenSet<ExecutionPhase> Active = Set(
        ExecutionPhase.PENDING, ExecutionPhase.QUEUED, ExecutionPhase.EXECUTING, ExecutionPhase.HELD, ExecutionPhase.SUSPENDED);

    /// <summary>Phases a PHASE=ABORT moves to ABORTED.</summary>
    public static readonly FrozenSet<ExecutionPhase> Abortable = Active;

    /// <summary>Phases a PHASE=RUN moves to QUEUED (checklist C.21: elsewhere RUN gets 403).</summary>
    public static readonly FrozenSet<ExecutionPhase> Runnable = Set(ExecutionPhase.PENDING, ExecutionPhase.HELD);

    public static bool IsAllowed(ExecutionPhase from, ExecutionPhase to) => Next[from].Contains(to);

    public static bool IsTerminal(ExecutionPhase phase) =>
        phase is ExecutionPhase.COMPLETED or ExecutionPhase.ERROR or ExecutionPhase.ABORTED or ExecutionPhase.ARCHIVED;

    static FrozenSet<ExecutionPhase> Set(params ExecutionPhase[] phases) => phases.ToFrozenSet();
}
