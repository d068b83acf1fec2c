using ExecutionPlanner.Docker;

namespace ExecutionPlanner.Tests.Docker;

/// <summary>The API version we pin, chosen from what the engine's unversioned /version reports (pure logic).</summary>
[Parallelizable(ParallelScope.All)]
public class ApiVersionChoiceTests
{
    [TestCase("1.60", "1.44", "1.54")]
    [TestCase("1.54", "1.44", "1.54")]
    [TestCase("1.47", "1.24", "1.47")]
    [TestCase("1.41", "1.12", "1.41")]
    [TestCase("1.41", null, "1.41")]
    public void The_newest_version_both_sides_speak_is_chosen(string engineNewest, string? engineOldest, string expected) =>
        Assert.That(DockerEngineClient.ChooseApiVersion(Engine(engineNewest, engineOldest)), Is.EqualTo(Version.Parse(expected)));

    [Test]
    public void An_engine_older_than_our_minimum_is_refused_with_both_versions_named() =>
        Assert.That(
            () => DockerEngineClient.ChooseApiVersion(Engine("1.40", "1.12")),
            Throws.InstanceOf<DockerEngineVersionException>().With.Message.Contains("1.40").And.Message.Contains("at least 1.41"));

    [Test]
    public void An_engine_requiring_a_newer_api_than_ours_is_refused_with_both_versions_named() =>
        Assert.That(
            () => DockerEngineClient.ChooseApiVersion(Engine("1.60", "1.55")),
            Throws.InstanceOf<DockerEngineVersionException>().With.Message.Contains("1.55").And.Message.Contains("at most 1.54"));

    [Test]
    public void An_unreadable_engine_version_is_refused() =>
        Assert.That(
            () => DockerEngineClient.ChooseApiVersion(Engine("latest", null)),
            Throws.InstanceOf<DockerEngineVersionException>().With.Message.Contains("'latest'"));

    private static DockerVersionInfo Engine(string newest, string? oldest) => new("test", newest, oldest, "linux", "amd64", null);
}
