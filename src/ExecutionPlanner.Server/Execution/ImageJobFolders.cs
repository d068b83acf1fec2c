using System.Collections.Concurrent;
using System.Formats.Tar;
using ExecutionPlanner.Docker;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Whether an image already ships the job's folders: its /uws holds exactly inputs/ and results/, both empty, with
/// results/ writable and inputs/ readable by the job's user (as this service's own job images do). Then a job
/// without uploads gets a /uws volume that starts as a copy of the image's, and the runner skips the archive PUT
/// that otherwise makes the folders (a tar process in the engine, the largest cost of a trivial job after the
/// container itself). Any other image (no /uws, other content, folders the user cannot use) gets the empty volume
/// and the PUT, exactly as before, so nothing the image holds at /uws ever reaches a job's results.
/// Learned once per image id by a throwaway container: the id names the image's content, so the answer cannot
/// change (a retagged image has a new id).
/// </summary>
public sealed class ImageJobFolders(DockerEngineClient docker, ExecutionNode node)
{
    /// <summary>A bound on what is remembered; past it, images are probed again (each probe costs a create and a remove).</summary>
    const int MaxImages = 1000;

    readonly ConcurrentDictionary<string, ShippedFolders?> known = new(StringComparer.Ordinal);

    /// <summary>The owner and mode of the image's empty inputs/ and results/; null when the image does not ship just those.</summary>
    public sealed record ShippedFolders(int InputsUid, UnixFileMode InputsMode, int ResultsUid, UnixFileMode ResultsMode)
    {
        public bool UsableBy(JobUser user) =>
            Allows(InputsUid, InputsMode, user, UnixFileMode.UserRead | UnixFileMode.UserExecute, UnixFileMode.OtherRead | UnixFileMode.OtherExecute)
            && Allows(ResultsUid, ResultsMode, user,
                UnixFileMode.UserWrite | UnixFileMode.UserExecute, UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);

        static bool Allows(int uid, UnixFileMode mode, JobUser user, UnixFileMode asOwner, UnixFileMode asOther) =>
            (mode & asOther) == asOther || (uid == user.Uid && (mode & asOwner) == asOwner);
    }

    /// <summary>True when the image's /uws can be the job's folders as they are, for this user.</summary>
    public async Task<bool> ShipsUsableFoldersAsync(ImageDetails image, JobUser user, CancellationToken ct)
    {
        if (!known.TryGetValue(image.Id, out var folders))
        {
            try
            {
                folders = await ProbeAsync(image.Id, ct);
            }
            catch (DockerEngineException)
            {
                // Not learned this time (the engine failed, or another node's orphan sweep took the probe): the job
                // gets the empty volume and the folders are made, as for any image; the next job asks again.
                return false;
            }
            if (known.Count >= MaxImages)
            {
                known.Clear();
            }
            known[image.Id] = folders;
        }
        return folders?.UsableBy(user) == true;
    }

    async Task<ShippedFolders?> ProbeAsync(string imageId, CancellationToken ct)
    {
        // Labelled like a job container of this deployment, so the orphan sweep removes it if we die here.
        var probe = await docker.CreateContainerAsync(null, new ContainerSpec(imageId)
        {
            Labels = new Dictionary<string, string> { [ContainerLabels.Job] = "image-folders-probe", [ContainerLabels.Instance] = node.Instance },
            NetworkDisabled = true,
            // Never started; a command is only needed because an image may have none for create to accept.
            Cmd = ["/never-started"],
        }, ct);
        try
        {
            await using var tar = await docker.GetArchiveAsync(probe.Id, ContainerSpecFactory.UwsPath, ct);
            return tar is null ? null : await ReadAsync(tar, ct);
        }
        finally
        {
            try
            {
                await docker.RemoveContainerAsync(probe.Id, force: true, removeVolumes: true, CancellationToken.None);
            }
            catch (DockerEngineException)
            {
                // Already removed (an orphan sweep), or the engine is away: the orphan sweep removes it later.
            }
        }
    }

    /// <summary>Exactly three entries: uws/, uws/inputs/ and uws/results/, all directories.</summary>
    internal static async Task<ShippedFolders?> ReadAsync(Stream tar, CancellationToken ct)
    {
        await using var reader = new TarReader(tar);
        TarEntry? inputs = null;
        TarEntry? results = null;
        var entries = 0;
        while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
        {
            if (++entries > 3 || entry.EntryType != TarEntryType.Directory)
            {
                return null;
            }
            switch (entry.Name.TrimEnd('/'))
            {
                case "uws":
                    break;
                case "uws/inputs":
                    inputs = entry;
                    break;
                case "uws/results":
                    results = entry;
                    break;
                default:
                    return null;
            }
        }
        return inputs is null || results is null ? null
            : new ShippedFolders(inputs.Uid, inputs.Mode, results.Uid, results.Mode);
    }
}
