namespace ExecutionPlanner.Docker;

/// <summary>What a demultiplexed copy wrote to each target, and how much it dropped over the limits.</summary>
public sealed record LogCopyResult(long StdoutBytes, long StderrBytes, long StdoutTruncatedBytes, long StderrTruncatedBytes)
{
    public bool StdoutTruncated => StdoutTruncatedBytes > 0;

    public bool StderrTruncated => StderrTruncatedBytes > 0;
}
