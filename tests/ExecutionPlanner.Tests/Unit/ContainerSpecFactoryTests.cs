using ExecutionPlanner.Docker;
using ExecutionPlanner.Server.Execution;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Store;
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
            Assert.That(spec.Volumes, Is.Null);
            Assert.That(host.Mounts, Is.EqualTo(new[] { ContainerMount.EmptyVolume("/uws") }), "an empty volume hides whatever the image has at /uws");
            Assert.That(host.Tmpfs!["/tmp"], Does.Contain("uid=65534,gid=65534"), "/tmp is owned by the job's user");
            Assert.That(host.ShmSize, Is.EqualTo(ExecutionOptions.DefaultShmBytes));
            Assert.That(host.Ulimits, Is.EqualTo(new[] { new ContainerUlimit("fsize", ExecutionOptions.DefaultMaxResultBytes, ExecutionOptions.DefaultMaxResultBytes) }));
            Assert.That(spec.WorkingDir, Is.EqualTo("/uws"), "an image without a WORKDIR starts in /uws");
            Assert.That(spec.Env, Is.EqualTo(new[] { "A=b", "HOME=/tmp" }), "the service's user gets a writable HOME");
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
        var relaxed = Create(options, new JobSpec("executionplanner/net-tools:2", [], [], 0.5m, 64L * 1024 * 1024),
            new JobUser("1000:1000", 1000, 1000, false));
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

    [Test]
    public void The_images_own_workdir_is_kept_and_a_user_of_its_own_gets_no_home_from_us()
    {
        var image = new ImageDetails("sha256:x", "1000", "/app", [], [], ["/entry.sh"], new Dictionary<string, string>());
        var spec = Create(new ExecutionOptions(), new JobSpec("lab/pipeline:3", [], [KeyValuePair.Create("A", "b")], null, null),
            new JobUser("1000", 1000, 1000, false), image);
        Assert.Multiple(() =>
        {
            Assert.That(spec.WorkingDir, Is.EqualTo("/app"));
            Assert.That(spec.User, Is.EqualTo("1000"));
            Assert.That(spec.Env, Is.EqualTo(new[] { "A=b" }));
            Assert.That(spec.Entrypoint, Is.Null, "the image's ENTRYPOINT stays");
            Assert.That(spec.HostConfig!.Tmpfs!["/tmp"], Does.Contain("uid=1000,gid=1000"));
        });
    }

    [TestCase(null, null, "65534:65534", true)]
    [TestCase(null, "", "65534:65534", true)]
    [TestCase(null, "root", "65534:65534", true)]
    [TestCase(null, "0:0", "65534:65534", true)]
    [TestCase(null, "1000", "1000", false)]
    [TestCase(null, "astro:staff", "astro:staff", false)]
    [TestCase("0", "1000", "0", false)]
    [TestCase("2000:2000", null, "2000:2000", false)]
    public void The_job_user_is_the_override_else_the_images_non_root_user_else_the_services(
        string? overrideUser, string? imageUser, string expected, bool isServiceDefault)
    {
        Assert.That(JobUser.Choose(overrideUser, imageUser, "65534:65534"), Is.EqualTo((expected, isServiceDefault)));
    }

    [TestCase("65534:65534", true, 65534, 65534)]
    [TestCase("1000", true, 1000, 1000)]
    [TestCase("astro", false, 0, 0)]
    [TestCase("1000:staff", false, 0, 0)]
    [TestCase("1:2:3", false, 0, 0)]
    [TestCase("-1", false, 0, 0)]
    public void Numeric_users_are_parsed_and_names_are_not(string user, bool numeric, int uid, int gid)
    {
        Assert.That(JobUser.TryParseNumeric(user, out var u, out var g), Is.EqualTo(numeric));
        if (numeric)
        {
            Assert.That((u, g), Is.EqualTo((uid, gid)));
        }
    }

    static ContainerSpec Create(ExecutionOptions execution, JobSpec spec, JobUser? user = null, ImageDetails? image = null)
    {
        execution.Instance = "test-instance";
        execution.NodeId = "test-node";
        using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1;Database=unused");
        var node = new ExecutionNode(Options.Create(execution), dataSource);
        return new ContainerSpecFactory(Options.Create(execution), new FixedOptions<JobsOptions>(new JobsOptions())).Create(Job, spec, node,
            image ?? new ImageDetails("sha256:x", null, null, [], [], [], new Dictionary<string, string>()),
            user ?? new JobUser("65534:65534", 65534, 65534, true));
    }

    sealed class FixedOptions<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
