namespace ExecutionPlanner.Docker;

/// <summary>A tar entry name would escape the target directory (absolute, or containing "..").</summary>
public sealed class TarEntryRejectedException : IOException
{
    public TarEntryRejectedException() { }

    public TarEntryRejectedException(string message) : base(message) { }

    public TarEntryRejectedException(string message, Exception innerException) : base(message, innerException) { }

    public TarEntryRejectedException(string entryName, string reason)
        : base($"Tar entry '{entryName}' rejected: {reason}")
    {
        EntryName = entryName;
    }

    public string EntryName { get; } = "";
}
