using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Execution;

namespace ExecutionPlanner.Tests.Unit;

public sealed class ImageJobFoldersTests
{
    const UnixFileMode Open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
    const UnixFileMode Everyone = Open | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    static readonly JobUser Nobody = new("65534:65534", 65534, 65534, true);
    static readonly JobUser Other = new("1000:1000", 1000, 1000, false);

    static async Task<ImageJobFolders.ShippedFolders?> ReadAsync(params TarFileEntry[] entries)
    {
        await using var tar = await TarArchives.CreateAsync(entries, CancellationToken.None);
        return await ImageJobFolders.ReadAsync(tar, CancellationToken.None);
    }

    static TarFileEntry Dir(string name, UnixFileMode mode, int uid = 65534) => TarFileEntry.Directory(name, mode) with { Uid = uid, Gid = uid };

    [Test]
    public async Task Empty_folders_owned_by_the_job_user_are_usable_by_that_user_only()
    {
        var folders = await ReadAsync(Dir("uws", Open), Dir("uws/inputs", Open), Dir("uws/results", Open));
        Assert.That(folders, Is.Not.Null);
        Assert.That(folders!.UsableBy(Nobody), Is.True);
        Assert.That(folders.UsableBy(Other), Is.False, "results/ is not writable by another user");
    }

    [Test]
    public async Task A_results_folder_writable_by_everyone_is_usable_by_any_user()
    {
        var folders = await ReadAsync(Dir("uws", Open, 0), Dir("uws/inputs", Open, 0), Dir("uws/results", Everyone, 0));
        Assert.That(folders!.UsableBy(Other), Is.True);
    }

    [Test]
    public async Task Anything_else_in_the_image_s_uws_means_the_folders_are_made_by_the_service()
    {
        Assert.Multiple(async () =>
        {
            Assert.That(await ReadAsync(Dir("uws", Open), Dir("uws/results", Open)), Is.Null, "no inputs/");
            Assert.That(await ReadAsync(Dir("uws", Open), Dir("uws/inputs", Open), Dir("uws/results", Open),
                TarFileEntry.FromBytes("uws/results/stale.txt", "old"u8.ToArray())), Is.Null, "a file in results/");
            Assert.That(await ReadAsync(Dir("uws", Open), Dir("uws/inputs", Open), Dir("uws/other", Open)), Is.Null, "another folder");
            Assert.That(await ReadAsync(Dir("uws", Open), Dir("uws/inputs", Open),
                TarFileEntry.FromBytes("uws/results", "not a folder"u8.ToArray())), Is.Null, "results is a file");
        });
    }
}
