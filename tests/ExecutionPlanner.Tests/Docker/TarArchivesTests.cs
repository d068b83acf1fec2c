using System.Formats.Tar;
using System.Text;
using ExecutionPlanner.Docker;

namespace ExecutionPlanner.Tests.Docker;

[Parallelizable(ParallelScope.All)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public class TarArchivesTests
{
    private string directory = "";

    [SetUp]
    public void CreateDirectory() =>
        directory = Directory.CreateTempSubdirectory("ep-tar-test-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    [Test]
    public async Task Files_written_to_a_tar_are_extracted_with_the_same_names_and_bytes()
    {
        var big = new byte[300_000];
        new Random(42).NextBytes(big);
        using var tar = await TarArchives.CreateAsync(
            [
                TarFileEntry.FromBytes("a.txt", Encoding.UTF8.GetBytes("alpha")),
                TarFileEntry.FromBytes("sub/deeper/b.bin", big),
                TarFileEntry.FromBytes("empty", Array.Empty<byte>()),
            ],
            CancellationToken.None);

        var result = await TarArchives.ExtractToDirectoryAsync(tar, directory, 1_000_000, CancellationToken.None);

        Assert.That(result.Files.Select(f => (f.RelativePath, f.Length)),
            Is.EquivalentTo(new[] { ("a.txt", 5L), ("sub/deeper/b.bin", 300_000L), ("empty", 0L) }));
        Assert.That(File.ReadAllText(Path.Combine(directory, "a.txt")), Is.EqualTo("alpha"));
        Assert.That(File.ReadAllBytes(Path.Combine(directory, "sub", "deeper", "b.bin")), Is.EqualTo(big));
        Assert.That(result.Skipped, Is.Empty);
        Assert.That(result.TotalBytes, Is.EqualTo(300_005));
    }

    [Test]
    public async Task Writer_adds_parent_directories_and_keeps_mode_and_owner()
    {
        using var tar = await TarArchives.CreateAsync(
            [TarFileEntry.FromBytes("x/y/run.sh", "echo"u8.ToArray()) with { Mode = (UnixFileMode)0b111_101_101, Uid = 65534, Gid = 65534 }],
            CancellationToken.None);

        var entries = new List<TarEntry>();
        await using (var reader = new TarReader(tar))
        {
            while (await reader.GetNextEntryAsync() is { } entry)
            {
                entries.Add(entry);
            }
        }

        Assert.That(entries.Select(e => (e.EntryType, e.Name)), Is.EqualTo(new[]
        {
            (TarEntryType.Directory, "x/"),
            (TarEntryType.Directory, "x/y/"),
            (TarEntryType.RegularFile, "x/y/run.sh"),
        }));
        Assert.That(entries[2].Mode, Is.EqualTo((UnixFileMode)0b111_101_101));
        Assert.That((entries[2].Uid, entries[2].Gid), Is.EqualTo((65534, 65534)));
    }

    [TestCase("../escape.txt")]
    [TestCase("sub/../../escape.txt")]
    [TestCase("/etc/passwd")]
    public async Task Extraction_rejects_names_that_leave_the_target(string name)
    {
        using var tar = await HandBuiltTarAsync((TarEntryType.RegularFile, name, "evil"));

        Assert.That(
            async () => await TarArchives.ExtractToDirectoryAsync(tar, directory, 1000, CancellationToken.None),
            Throws.InstanceOf<TarEntryRejectedException>().With.Property(nameof(TarEntryRejectedException.EntryName)).EqualTo(name));
        Assert.That(File.Exists(Path.Combine(Path.GetDirectoryName(directory)!, "escape.txt")), Is.False);
    }

    [TestCase("../escape.txt")]
    [TestCase("/abs.txt")]
    public void Writer_rejects_names_that_leave_the_target(string name) =>
        Assert.That(
            async () => await TarArchives.CreateAsync([TarFileEntry.FromBytes(name, "x"u8.ToArray())], CancellationToken.None),
            Throws.InstanceOf<TarEntryRejectedException>());

    [Test]
    public async Task Dot_slash_prefixes_as_in_engine_archives_are_ignored()
    {
        using var tar = await HandBuiltTarAsync(
            (TarEntryType.Directory, "./", ""), (TarEntryType.RegularFile, "./out/result.txt", "42"));

        var result = await TarArchives.ExtractToDirectoryAsync(tar, directory, 1000, CancellationToken.None);

        Assert.That(result.Files.Single().RelativePath, Is.EqualTo("out/result.txt"));
        Assert.That(File.ReadAllText(Path.Combine(directory, "out", "result.txt")), Is.EqualTo("42"));
    }

    [Test]
    public async Task Links_are_skipped_not_followed()
    {
        using var tar = await HandBuiltTarAsync(
            (TarEntryType.SymbolicLink, "passwd", "/etc/passwd"), (TarEntryType.RegularFile, "real.txt", "r"));

        var result = await TarArchives.ExtractToDirectoryAsync(tar, directory, 1000, CancellationToken.None);

        Assert.That(result.Skipped, Has.Count.EqualTo(1).And.Contains("passwd"));
        Assert.That(result.Files.Select(f => f.RelativePath).ToList(), Has.Count.EqualTo(1).And.Contains("real.txt"));
        Assert.That(File.Exists(Path.Combine(directory, "passwd")), Is.False);
    }

    [Test]
    public async Task Files_over_the_total_size_limit_throw_TarSizeLimitExceededException()
    {
        using var tar = await TarArchives.CreateAsync(
            [TarFileEntry.FromBytes("first", new byte[60]), TarFileEntry.FromBytes("second", new byte[41])],
            CancellationToken.None);

        Assert.That(
            async () => await TarArchives.ExtractToDirectoryAsync(tar, directory, 100, CancellationToken.None),
            Throws.InstanceOf<TarSizeLimitExceededException>()
                .With.Property(nameof(TarSizeLimitExceededException.LimitBytes)).EqualTo(100)
                .And.Message.Contains("second"));
        Assert.That(File.Exists(Path.Combine(directory, "second")), Is.False);
    }

    [Test]
    public async Task Files_exactly_at_the_size_limit_are_extracted()
    {
        using var tar = await TarArchives.CreateAsync(
            [TarFileEntry.FromBytes("first", new byte[60]), TarFileEntry.FromBytes("second", new byte[40])],
            CancellationToken.None);

        var result = await TarArchives.ExtractToDirectoryAsync(tar, directory, 100, CancellationToken.None);

        Assert.That(result.TotalBytes, Is.EqualTo(100));
    }

    // Our writer refuses bad names, so hostile archives are built with TarWriter directly.
    private static async Task<MemoryStream> HandBuiltTarAsync(params (TarEntryType Type, string Name, string ContentOrTarget)[] entries)
    {
        var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (type, name, content) in entries)
            {
                var entry = new PaxTarEntry(type, name);
                if (type == TarEntryType.SymbolicLink)
                {
                    entry.LinkName = content;
                }
                else if (type == TarEntryType.RegularFile)
                {
                    entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
                }
                await writer.WriteEntryAsync(entry);
            }
        }
        tar.Position = 0;
        return tar;
    }
}
