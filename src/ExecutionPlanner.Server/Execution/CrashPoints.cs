using System.Diagnostics;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Fault injection for the crash tests: with EP_CRASH_AT=&lt;step&gt; in its environment this process kills itself
/// (SIGKILL, nothing runs after it, exactly like kill -9) the first time a job's run reaches that step. The steps
/// are the places where the run's guarantees are written down; unset, every call is one comparison of a null.
/// </summary>
public static class CrashPoints
{
    /// <summary>After a QUEUED row was chosen, before its Hangfire job exists.</summary>
    public const string BeforeEnqueue = "before-enqueue";

    /// <summary>After the Hangfire job exists, before the row records it.</summary>
    public const string Enqueued = "enqueued";

    /// <summary>After the claim committed EXECUTING, before anything exists on the engine.</summary>
    public const string Claimed = "claimed";

    /// <summary>After the container was created, before it is marked as starting.</summary>
    public const string Created = "created";

    /// <summary>After the container was marked as starting, before the start call.</summary>
    public const string MarkedStarting = "marked-starting";

    /// <summary>While the container runs.</summary>
    public const string Started = "started";

    /// <summary>After the container ended, before its outcome is written.</summary>
    public const string Exited = "exited";

    /// <summary>After the outcome was written, before Hangfire hears that its job returned.</summary>
    public const string Settled = "settled";

    public static readonly IReadOnlyList<string> All = [BeforeEnqueue, Enqueued, Claimed, Created, MarkedStarting, Started, Exited, Settled];

    static readonly string? CrashAt = Environment.GetEnvironmentVariable("EP_CRASH_AT");

    public static void Reach(string step)
    {
        if (CrashAt is not null && string.Equals(CrashAt, step, StringComparison.Ordinal))
        {
            Process.GetCurrentProcess().Kill();
        }
    }
}
