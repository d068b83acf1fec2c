using System.Net;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ExecutionPlanner.Tests.Integration;

public sealed class DestructionTests : ServerFixture
{
    [Test]
    public async Task A_job_past_its_destruction_time_is_destroyed_with_its_files_by_the_sweep()
    {
        using var client = Server.NewOwner();
        using var content = new MultipartFormDataContent
        {
            { new StringContent(UwsClient.Image), "image" },
            { new ByteArrayContent([1, 2, 3]), "data.csv", "data.csv" },
        };
        using var create = await client.PostAsync("/jobs", content);
        var id = create.Headers.Location!.Segments[^1];
        await JobRows.AddResultAsync(id, "out.txt", "text/plain", [4, 5]);
        var kept = await client.CreateJobAsync();
        using (var set = await client.PostFormAsync($"/jobs/{id}/destruction", ("DESTRUCTION", "2001-01-01T00:00:00Z")))
        {
            Assert.That(set.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        Assert.That(await JobRows.CountAsync("SELECT count(*) FROM job_files WHERE job_id = $1", id), Is.EqualTo(2));

        var destroyed = await Server.Services.GetRequiredService<DestructionSweeper>().SweepOnceAsync(CancellationToken.None);

        Assert.That(destroyed, Is.GreaterThanOrEqualTo(1));
        Assert.That((await client.GetTextAsync($"/jobs/{id}")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await client.GetTextAsync($"/jobs/{id}/parameters/data.csv")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await JobRows.CountAsync("SELECT count(*) FROM job_files WHERE job_id = $1", id), Is.Zero);
        Assert.That(await JobRows.CountAsync("SELECT count(*) FROM jobs WHERE id = $1", id), Is.Zero);
        Assert.That(await client.PhaseAsync(kept), Is.EqualTo("PENDING"));
    }

    [Test]
    public async Task A_sweep_with_nothing_due_keeps_every_job()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        await Server.Services.GetRequiredService<DestructionSweeper>().SweepOnceAsync(CancellationToken.None);
        Assert.That(await client.PhaseAsync(id), Is.EqualTo("PENDING"));
    }
}
