using System.Text;
using ExecutionPlanner.Docker;

namespace ExecutionPlanner.Tests.Docker;

/// <summary>The archive operations (files into and out of containers), against the real engine.</summary>
public partial class DockerEngineClientTests
{
    [Test]
    public async Task Files_put_into_a_created_container_are_readable_by_the_job_user(CancellationToken cancellationToken)
    {
        var spec = Spec("sh", "-c", "cat /uws/inputs/hello.txt /uws/inputs/sub/data.txt; id -u; echo appended >> /uws/inputs/hello.txt")
            with { User = Uws.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var id = await CreateAsync(NewName(), spec, cancellationToken);
        using (var tar = await TarArchives.CreateAsync(
            [
                TarFileEntry.FromBytes("hello.txt", "hello\n"u8.ToArray()) with { Uid = Uws, Gid = Uws },
                TarFileEntry.FromBytes("sub/data.txt", "data\n"u8.ToArray()),
            ],
            cancellationToken))
        {
            await Client.PutArchiveAsync(id, "/uws/inputs", tar, cancellationToken);
        }

        await Client.StartContainerAsync(id, cancellationToken);
        var exit = await Client.WaitContainerAsync(id, ContainerWaitCondition.NotRunning, cancellationToken);
        var (_, stdout, stderr) = await LogsAsync(id, ContainerLogsOptions.Default, cancellationToken);

        Assert.That(stderr, Is.Empty, "the uws-owned input is writable by the job");
        Assert.That(exit.StatusCode, Is.Zero);
        Assert.That(stdout, Is.EqualTo("hello\ndata\n65534\n"));
    }

    [Test]
    public async Task Put_archive_into_a_missing_directory_throws_DockerPathNotFoundException(CancellationToken cancellationToken)
    {
        var id = await CreateAsync(NewName(), Spec("true"), cancellationToken);
        using var tar = await TarArchives.CreateAsync([TarFileEntry.FromBytes("x", "x"u8.ToArray())], cancellationToken);

        Assert.That(
            async () => await Client.PutArchiveAsync(id, "/no/such/dir", tar, cancellationToken),
            Throws.InstanceOf<DockerPathNotFoundException>());
    }

    [Test]
    public async Task Get_archive_returns_the_files_the_container_wrote(CancellationToken cancellationToken)
    {
        var id = await CreateAsync(
            NewName(),
            Spec("sh", "-c", "mkdir -p /uws/results/sub && echo 42 > /uws/results/answer.txt && head -c 5000 /dev/zero > /uws/results/sub/zeros && ln -s /etc/passwd /uws/results/link")
                with { User = "65534" },
            cancellationToken);
        await Client.StartContainerAsync(id, cancellationToken);
        Assert.That((await Client.WaitContainerAsync(id, ContainerWaitCondition.NotRunning, cancellationToken)).StatusCode, Is.Zero);
        var target = Directory.CreateTempSubdirectory("ep-results-test-").FullName;
        try
        {
            TarExtractionResult result;
            await using (var tar = await Client.GetArchiveAsync(id, "/uws/results/.", cancellationToken))
            {
                Assert.That(tar, Is.Not.Null);
                result = await TarArchives.ExtractToDirectoryAsync(tar!, target, 1_000_000, cancellationToken);
            }

            Assert.That(result.Files.Select(f => (f.RelativePath, f.Length)),
                Is.EquivalentTo(new List<(string, long)> { ("answer.txt", 3), ("sub/zeros", 5000) }));
            Assert.That(result.Skipped.Select(Path.GetFileName).ToList(), Has.Count.EqualTo(1).And.Contains("link"));
            Assert.That(await File.ReadAllTextAsync(Path.Combine(target, "answer.txt"), cancellationToken), Is.EqualTo("42\n"));
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    [Test]
    public async Task Get_archive_of_a_missing_path_returns_null(CancellationToken cancellationToken)
    {
        var id = await CreateAsync(NewName(), Spec("true"), cancellationToken);

        await using var tar = await Client.GetArchiveAsync(id, "/uws/nothing-here", cancellationToken);

        Assert.That(tar, Is.Null);
    }
    [Test]
    public async Task Stat_path_describes_a_directory_and_its_modification_time_moves_when_an_entry_is_created(CancellationToken cancellationToken)
    {
        var id = await CreateAsync(NewName(), Spec("sh", "-c", "echo x > /uws/results/new.txt") with { User = "65534", Volumes = ["/uws/results"] }, cancellationToken);
        var before = await Client.StatPathAsync(id, "/uws/results", cancellationToken);
        await Client.StartContainerAsync(id, cancellationToken);
        Assert.That((await Client.WaitContainerAsync(id, ContainerWaitCondition.NotRunning, cancellationToken)).StatusCode, Is.Zero);
        var after = await Client.StatPathAsync(id, "/uws/results", cancellationToken);

        Assert.That(before, Is.Not.Null);
        Assert.That((before!.Name, before.IsDirectory), Is.EqualTo(("results", true)));
        Assert.That(after!.ModifiedAt, Is.Not.EqualTo(before.ModifiedAt));
        Assert.That((await Client.StatPathAsync(id, "/uws/results/new.txt", cancellationToken))!.Size, Is.EqualTo(2));
    }

    [Test]
    public async Task Stat_path_keeps_the_modification_time_of_a_directory_nothing_was_written_to(CancellationToken cancellationToken)
    {
        var id = await CreateAsync(NewName(), Spec("sh", "-c", "ls /uws/results; echo looked") with { User = "65534", Volumes = ["/uws/results"] }, cancellationToken);
        var before = await Client.StatPathAsync(id, "/uws/results", cancellationToken);
        await Client.StartContainerAsync(id, cancellationToken);
        await Client.WaitContainerAsync(id, ContainerWaitCondition.NotRunning, cancellationToken);

        Assert.That((await Client.StatPathAsync(id, "/uws/results", cancellationToken))!.ModifiedAt, Is.EqualTo(before!.ModifiedAt));
    }

    [Test]
    public async Task Stat_path_of_a_missing_path_returns_null_and_of_a_missing_container_throws(CancellationToken cancellationToken)
    {
        var id = await CreateAsync(NewName(), Spec("true"), cancellationToken);

        Assert.That(await Client.StatPathAsync(id, "/uws/nothing-here", cancellationToken), Is.Null);
        Assert.That(async () => await Client.StatPathAsync($"ep-test-absent-{Guid.NewGuid():N}", "/uws", cancellationToken),
            Throws.InstanceOf<DockerContainerNotFoundException>());
    }
}
