using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Persistence;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// What the runner puts in a job's empty /uws volume before the start (README, "Any image works"), and the
/// message that tells the owner an image override applied.
/// </summary>
public static class JobFolders
{
    /// <summary>inputs/ with the uploads, and results/ (writable by any user, for images whose entrypoint switches user), all owned by the job's user.</summary>
    public static IEnumerable<TarFileEntry> Entries(IEnumerable<JobFileEntity> inputs, JobUser user)
    {
        const UnixFileMode readable = UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead
            | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        const UnixFileMode writable = readable | UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
        yield return TarFileEntry.Directory("inputs", readable | UnixFileMode.UserWrite) with { Uid = user.Uid, Gid = user.Gid };
        yield return TarFileEntry.Directory("results", writable) with { Uid = user.Uid, Gid = user.Gid };
        foreach (var input in inputs)
        {
            yield return TarFileEntry.FromBytes("inputs/" + input.Name, input.Content) with { Uid = user.Uid, Gid = user.Gid };
        }
    }

    /// <summary>The job message saying which of the operator's relaxations applied to this image.</summary>
    public static string OverrideMessage(ImageOverride o, JobUser user)
    {
        var what = new List<string>();
        if (o.User is not null)
        {
            what.Add($"runs as user {user.User}");
        }
        if (o.NetworkMode is { } network)
        {
            what.Add($"network '{network}'");
        }
        if (o.ReadOnlyRootFilesystem == false)
        {
            what.Add("a writable root file system");
        }
        return $"The operator's settings for images matching '{o.Image}' were applied" + (what.Count > 0 ? ": " + string.Join(", ", what) + "." : ".");
    }

}
