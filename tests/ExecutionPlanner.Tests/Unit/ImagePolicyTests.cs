using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Tests.Unit;

[Parallelizable(ParallelScope.Children)]
public sealed class ImagePolicyTests
{
    static readonly ImagePolicy Policy = new(["executionplanner/*", "docker.io/library/python:3.*", " alpine:3.20 "]);

    [TestCase("executionplanner/busybox:1")]
    [TestCase("executionplanner/tools")]
    [TestCase("executionplanner/a/b:latest")]
    [TestCase("docker.io/library/python:3.12")]
    [TestCase("docker.io/library/python:3.12-slim")]
    [TestCase("alpine:3.20")]
    [TestCase("executionplanner/busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Allows_images_matching_a_pattern(string image) => Assert.That(Policy.Allows(image), Is.True, image);

    [TestCase("docker.io/library/python:2.7")]
    [TestCase("docker.io/library/python")]
    [TestCase("evil/executionplanner/busybox:1")]
    [TestCase("executionplannerx/busybox:1")]
    [TestCase("alpine:3.21")]
    [TestCase("alpine:3.20x")]
    [TestCase("ubuntu:24.04")]
    public void Refuses_well_formed_images_no_pattern_matches(string image)
    {
        Assert.That(ImagePolicy.IsWellFormed(image), Is.True, image);
        Assert.That(Policy.Allows(image), Is.False, image);
    }

    [TestCase("")]
    [TestCase(" executionplanner/busybox:1")]
    [TestCase("executionplanner/BusyBox:1")]
    [TestCase("executionplanner/busybox:1 ; rm -rf /")]
    [TestCase("-executionplanner/busybox")]
    [TestCase("executionplanner/busybox:")]
    [TestCase("executionplanner/busybox:-tag")]
    [TestCase("executionplanner/busybox@sha256:abc")]
    [TestCase("executionplanner/busybox\n")]
    [TestCase("executionplanner/büsybox")]
    public void Refuses_malformed_references_even_when_a_pattern_would_match(string image)
    {
        Assert.That(ImagePolicy.IsWellFormed(image), Is.False, image);
        Assert.That(new ImagePolicy(["*"]).Allows(image), Is.False, image);
    }

    [Test]
    public void Pattern_characters_other_than_star_are_literal()
    {
        var policy = new ImagePolicy(["registry.example/app:1.0"]);
        Assert.That(policy.Allows("registry.example/app:1.0"), Is.True);
        Assert.That(policy.Allows("registryxexample/app:1x0"), Is.False);
    }

    [Test]
    public void An_empty_policy_allows_nothing() =>
        Assert.That(new ImagePolicy([]).Allows("executionplanner/busybox:1"), Is.False);
}
