namespace ExecutionPlanner.Docker;

/// <summary>
/// How many bytes of each output stream to keep. The first bytes are kept and the rest only
/// counted, so a runaway job cannot fill the disk. Null means no limit.
/// </summary>
public sealed record LogByteLimits(long? Stdout, long? Stderr)
{
    public static readonly LogByteLimits None = new(null, null);
}
