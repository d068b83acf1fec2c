using ExecutionPlanner.Server.Execution;
using ExecutionPlanner.Server.Jobs;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExecutionPlanner.Tests.Unit;

public sealed class ContainerSpecFactoryTests
{
    static readonly ClaimedJob Job = new("job1", 2, Guid.NewGuid(), 60, [], null, null);

    [Test]
    public void A_job_gets_no_network_no_capabilities_a_read_only_root_and_a_non_root_user()
    {
        var spec = Create(new ExecutionOptions(), new JobSpec("executionplanner/busybox:1", ["echo", "hi"], [KeyValuePair.Create("A", "b")], null, null));
        var host = spec.HostConfig!;
        Assert.Multiple(() =>
        {
            Assert.That(host.NetworkMode, Is.EqualTo("none"));
            Assert.That(host.CapDrop, Is.EqualTo(new[] { "ALL" }));
            Assert.That(host.SecurityOpt, Is.EqualTo(new[] { "no-new-privileges" }));
            Assert.That(host.ReadonlyRootfs, Is.True);
            Assert.That(spec.User, Is.EqualTo("65534:65534"));
            Assert.That(host.NanoCpus, Is.EqualTo(1_000_000_000L));
            Assert.That(host.Memory, Is.EqualTo(1024L * 1024 * 1024).And.EqualTo(host.MemorySwap));
            Assert.That(spec.Volumes, Is.EquivalentTo(new[] { "/uws/inputs", "/uws/results" }));
            Assert.That(spec.Env, Is.EqualTo(new[] { "A=b" }));
            Assert.That(spec.Labels![ContainerLabels.Attempt], Is.EqualTo("2"));
            Assert.That(spec.Labels[ContainerLabels.Instance], Is.EqualTo("test-instance"));
        });
    }

    [Test]
    public void An_image_override_relaxes_only_the_images_it_matches()
    {
        var options = new ExecutionOptions
        {
            ImageOverrides = [new ImageOverride { Image = "executionplanner/net*", NetworkMode = "bridge", ReadOnlyRootFilesystem = false, User = "1000:1000" }],
        };
        var relaxed = Create(options, new JobSpec("executionplanner/net-tools:2", [], [], 0.5m, 64L * 1024 * 1024));
        var strict = Create(options, new JobSpec("executionplanner/busybox:1", [], [], null, null));
        Assert.Multiple(() =>
        {
            Assert.That(relaxed.HostConfig!.NetworkMode, Is.EqualTo("bridge"));
            Assert.That(relaxed.HostConfig.ReadonlyRootfs, Is.False);
            Assert.That(relaxed.User, Is.EqualTo("1000:1000"));
            Assert.That(relaxed.HostConfig.NanoCpus, Is.EqualTo(500_000_000L));
            Assert.That(relaxed.HostConfig.Memory, Is.EqualTo(64L * 1024 * 1024));
            Assert.That(relaxed.Cmd, Is.Null, "no cmd keeps the image's default command");
            Assert.That(strict.HostConfig!.NetworkMode, Is.EqualTo("none"));
            Assert.That(strict.HostConfig.ReadonlyRootfs, Is.True);
            Assert.That(strict.User, Is.EqualTo("65534:65534"));
        });
    }

    static ExecutionPlanner.Docker.ContainerSpec Create(ExecutionOptions execution, JobSpec spec)
    {
        execution.Instance = "test-instance";
        execution.NodeId = "test-node";
        using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1;Database=unused");
        var node = new ExecutionNode(Options.Create(execution), dataSource);
        return new ContainerSpecFactory(Options.Create(execution), new FixedOptions<JobsOptions>(new JobsOptions())).Create(Job, spec, node);
    }

    sealed class FixedOptions<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
