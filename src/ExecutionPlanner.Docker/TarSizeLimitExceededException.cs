namespace ExecutionPlanner.Docker;

/// <summary>The regular files in a tar archive add up to more bytes than the caller allowed.</summary>
public sealed class TarSizeLimitExceededException : IOException
{
    public TarSizeLimitExceededException() { }

    public TarSizeLimitExceededException(string message) : base(message) { }

    public TarSizeLimitExceededException(string message, Exception innerException) : base(message, innerException) { }

    public TarSizeLimitExceededException(long limitBytes, string entryName)
        : base($"Tar archive exceeds the limit of {limitBytes} bytes at entry '{entryName}'")
    {
        LimitBytes = limitBytes;
    }

    public long LimitBytes { get; }
}
