using ExecutionPlanner.Docker;
using ExecutionPlanner.Tests.Support;
using EmptyStruct = Docker.DotNet.Models.EmptyStruct;

namespace ExecutionPlanner.Tests.Docker;

public partial class DockerEngineClientTests
{
    [Test]
    public async Task Volume_usage_measures_the_volumes_of_the_labelled_containers_only(CancellationToken cancellationToken)
    {
        var writer = await StartAsync(JobImageContainers.Builder("sh", "-c", "head -c 300000 /dev/zero > /data/blob")
            .WithLabel("org.executionplanner.test-usage", testId)
            .WithCreateParameterModifier(p => p.Volumes = new Dictionary<string, EmptyStruct> { ["/data"] = default }), cancellationToken);
        await Client.WaitContainerAsync(writer, ContainerWaitCondition.NotRunning, cancellationToken);

        var usage = await Client.GetVolumeUsageAsync("org.executionplanner.test-usage", cancellationToken);

        var mine = usage.Where(u => u.Labels.GetValueOrDefault("org.executionplanner.test-usage") == testId).ToList();
        Assert.That(mine, Has.Count.EqualTo(1), "one volume, of the one labelled container");
        Assert.That(mine[0].ContainerId, Is.EqualTo(writer));
        Assert.That(mine[0].Destination, Is.EqualTo("/data"));
        Assert.That(mine[0].Size, Is.InRange(300_000, 400_000));
        Assert.That(usage.All(u => u.Labels.ContainsKey("org.executionplanner.test-usage")), Is.True);
    }
}
