using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Execution;

namespace ExecutionPlanner.Tests.Unit;

/// <summary>When the results download may be skipped: only for a directory untouched by a run of an image known to put nothing there.</summary>
public sealed class ResultsDirectoryProbeTests
{
    const string Image = "sha256:aaaa";
    static readonly ContainerPathStat AtStart = Directory("2026-11-22T02:37:08Z");
    static readonly ContainerPathStat Written = Directory("2026-11-22T05:15:04.907427376Z");

    DockerEngineClient docker = null!;
    ResultsDirectoryProbe probe = null!;

    [SetUp]
    public void SetUp()
    {
        // Never called by these tests: only the decision logic runs.
        docker = new DockerEngineClient(new DockerEngineOptions());
        probe = new ResultsDirectoryProbe(docker);
    }

    [TearDown]
    public void TearDown() => docker.Dispose();

    [Test]
    public void An_image_not_yet_seen_is_always_downloaded() =>
        Assert.That(probe.ShowsNothingWritten(Image, AtStart, AtStart), Is.False);

    [Test]
    public void An_untouched_empty_download_teaches_that_the_image_puts_nothing()
    {
        probe.Learn(Image, AtStart, AtStart, downloadWasEmpty: true);

        Assert.That(probe.ShowsNothingWritten(Image, AtStart, AtStart), Is.True);
        Assert.That(probe.ShowsNothingWritten("sha256:bbbb", AtStart, AtStart), Is.False, "another image is not known");
    }

    [Test]
    public void A_changed_modification_time_is_always_downloaded()
    {
        probe.Learn(Image, AtStart, AtStart, downloadWasEmpty: true);

        Assert.That(probe.ShowsNothingWritten(Image, AtStart, Written), Is.False);
    }

    [Test]
    public void A_missing_stat_is_always_downloaded()
    {
        probe.Learn(Image, AtStart, AtStart, downloadWasEmpty: true);

        Assert.Multiple(() =>
        {
            Assert.That(probe.ShowsNothingWritten(Image, null, AtStart), Is.False);
            Assert.That(probe.ShowsNothingWritten(Image, AtStart, null), Is.False);
        });
    }

    [Test]
    public void A_run_that_wrote_teaches_nothing_even_when_its_download_was_empty()
    {
        // Written then deleted: the download is empty, but the image may still put files there.
        probe.Learn(Image, AtStart, Written, downloadWasEmpty: true);

        Assert.That(probe.ShowsNothingWritten(Image, AtStart, AtStart), Is.False);
    }

    [Test]
    public void An_image_that_puts_files_there_is_always_downloaded()
    {
        probe.Learn(Image, AtStart, AtStart, downloadWasEmpty: true);
        // A later untouched run found files: they came with the image and may be changed in place unseen.
        probe.Learn(Image, AtStart, AtStart, downloadWasEmpty: false);

        Assert.That(probe.ShowsNothingWritten(Image, AtStart, AtStart), Is.False);
    }

    [Test]
    public void A_path_that_is_not_a_directory_is_always_downloaded()
    {
        var file = AtStart with { Mode = 420 }; // 0644: no directory bit
        probe.Learn(Image, file, file, downloadWasEmpty: true);

        Assert.That(probe.ShowsNothingWritten(Image, file, file), Is.False);
    }

    static ContainerPathStat Directory(string modifiedAt) => new("results", 4096, (1u << 31) | 493 /* 0755 */, modifiedAt, "");
}
