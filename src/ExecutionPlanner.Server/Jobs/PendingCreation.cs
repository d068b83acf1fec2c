using ExecutionPlanner.Server.Persistence;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// A new job that passed every check and waits in <see cref="JobCreationBatcher"/> for its row to be
/// committed: the row, its uploaded files, and the signal its request awaits before answering 303.
/// </summary>
public sealed class PendingCreation(JobEntity job, IReadOnlyList<JobInput> inputs)
{
    public JobEntity Job { get; } = job;

    public IReadOnlyList<JobInput> Inputs { get; } = inputs;

    /// <summary>Upload bytes, counted against a batch's byte budget.</summary>
    public long Bytes { get; } = inputs.Sum(i => i.Content.LongLength);

    /// <summary>
    /// Completed after the transaction holding this job committed, or faulted with the error that kept
    /// this job (alone) from being written. Continuations run asynchronously, so the writer loop never
    /// runs request code.
    /// </summary>
    public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
