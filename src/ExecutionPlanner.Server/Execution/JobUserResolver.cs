using System.Collections.Concurrent;
using System.Formats.Tar;
using System.Text;
using ExecutionPlanner.Docker;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Chooses the user a job runs as (README, "How jobs are isolated"): the operator's ImageOverrides user if one
/// applies; else the image's own USER when that is not root; else Execution:User (65534:65534). Named users are
/// resolved to ids from the image's /etc/passwd and /etc/group, read once per image through a container that is
/// created, read through the archive API and removed without ever starting; the answer is kept per image id.
/// </summary>
public sealed class JobUserResolver(DockerEngineClient docker, ExecutionNode node, IOptions<ExecutionOptions> options)
{
    readonly ConcurrentDictionary<(string ImageId, string User), (int Uid, int Gid)> resolved = new();

    /// <summary>The image's run defaults and the job's user. Throws <see cref="JobUserException"/> for a user the image does not know.</summary>
    public async Task<(ImageDetails Image, JobUser User)> ResolveAsync(string image, string? overrideUser, CancellationToken ct)
    {
        var details = await docker.InspectImageAsync(image, ct);
        var (user, isDefault) = JobUser.Choose(overrideUser, details.User, options.Value.User);
        if (JobUser.TryParseNumeric(user, out var uid, out var gid))
        {
            return (details, new JobUser(user, uid, gid, isDefault));
        }
        if (!resolved.TryGetValue((details.Id, user), out var ids))
        {
            ids = await LookUpAsync(details.Id, user, ct);
            resolved[(details.Id, user)] = ids;
        }
        return (details, new JobUser(user, ids.Uid, ids.Gid, isDefault));
    }

    async Task<(int Uid, int Gid)> LookUpAsync(string imageId, string user, CancellationToken ct)
    {
        // Labelled like a job container of this deployment, so the orphan sweep removes it if we die here.
        var probe = await docker.CreateContainerAsync(null, new ContainerSpec(imageId)
        {
            Labels = new Dictionary<string, string> { [ContainerLabels.Job] = "image-user-probe", [ContainerLabels.Instance] = node.Instance },
            NetworkDisabled = true,
            // Never started; a command is only needed because an image may have none for create to accept.
            Cmd = ["/never-started"],
        }, ct);
        try
        {
            var passwd = await ReadTextAsync(probe.Id, "/etc/passwd", ct);
            var group = await ReadTextAsync(probe.Id, "/etc/group", ct);
            return PasswdLookup.Resolve(user, passwd, group, out var problem)
                ?? throw new JobUserException($"The image's user '{user}' cannot be run: {problem}.");
        }
        finally
        {
            await docker.RemoveContainerAsync(probe.Id, force: true, removeVolumes: true, CancellationToken.None);
        }
    }

    async Task<string?> ReadTextAsync(string containerId, string path, CancellationToken ct)
    {
        await using var tar = await docker.GetArchiveAsync(containerId, path, ct);
        if (tar is null)
        {
            return null;
        }
        await using var reader = new TarReader(tar);
        while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
        {
            if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && entry.DataStream is { } data && entry.Length < 4 * 1024 * 1024)
            {
                using var text = new StreamReader(data, Encoding.UTF8);
                return await text.ReadToEndAsync(ct);
            }
        }
        return null;
    }
}

/// <summary>The job's user cannot be resolved in its image; the job ends in ERROR with this message.</summary>
public sealed class JobUserException(string message) : Exception(message);
