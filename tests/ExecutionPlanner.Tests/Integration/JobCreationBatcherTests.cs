using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Persistence;
using ExecutionPlanner.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>Group commit of new jobs (JobCreationBatcher): all land, one bad row fails alone, no added latency.</summary>
[Category("PostgreSQL")]
[Parallelizable(ParallelScope.Children)]
public sealed class JobCreationBatcherTests
{
    UwsTestServer server = null!;

    [OneTimeSetUp]
    public async Task Start() => server = await UwsTestServer.StartAsync();

    [OneTimeTearDown]
    public Task Stop() => server.DisposeAsync().AsTask();

    [Test]
    public async Task Many_concurrent_creations_all_land_with_distinct_ids_and_their_files()
    {
        const int Jobs = 120;
        using var client = server.NewOwner(out var owner);
        var created = await Task.WhenAll(Enumerable.Range(0, Jobs).Select(async i =>
        {
            using var content = new MultipartFormDataContent
            {
                { new StringContent(UwsClient.Image), "image" },
                { new StringContent("cat"), "cmd" },
            };
            var file = new ByteArrayContent(Encoding.ASCII.GetBytes($"job {i}\n"));
            file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            content.Add(file, "data.txt", "data.txt");
            using var response = await client.PostAsync("/jobs", content);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await response.Content.ReadAsStringAsync());
            return (Index: i, Id: response.Headers.Location!.Segments[^1]);
        }));

        Assert.That(created.Select(c => c.Id).Distinct().Count(), Is.EqualTo(Jobs));
        Assert.That(await JobRows.CountAsync("SELECT count(*) FROM jobs WHERE owner_id = $1", owner), Is.EqualTo(Jobs));
        foreach (var (index, id) in created)
        {
            var (status, body) = await client.GetTextAsync($"/jobs/{id}/parameters/data.txt");
            Assert.That((status, body), Is.EqualTo((HttpStatusCode.OK, $"job {index}\n")), id);
        }
    }

    [Test]
    public async Task A_batch_with_one_job_the_database_refuses_fails_only_that_job()
    {
        var owner = $"batch-owner-{Guid.NewGuid():N}";
        var taken = JobRows.NewId();
        await JobRows.InsertJobsAsync(owner, [(taken, "PENDING", TimeProvider.System.GetUtcNow())]);
        var batch = Enumerable.Range(0, 6)
            .Select(i => new PendingCreation(NewJob(i == 3 ? taken : JobRows.NewId(), owner),
                [new JobInput("in.txt", "text/plain", Encoding.ASCII.GetBytes($"input {i}"))]))
            .ToList();

        await server.Services.GetRequiredService<JobCreationBatcher>().WriteAsync(batch);

        var refused = batch[3].Committed.Task;
        Assert.That(refused.IsFaulted, Is.True, "the job whose id is taken must fail");
        Assert.That(refused.Exception!.InnerException, Is.TypeOf<PostgresException>()
            .With.Property(nameof(PostgresException.SqlState)).EqualTo(PostgresErrorCodes.UniqueViolation));
        var others = batch.Where((_, i) => i != 3).ToList();
        Assert.That(others.Select(p => p.Committed.Task.Status), Is.All.EqualTo(TaskStatus.RanToCompletion));
        Assert.That(await JobRows.CountAsync("SELECT count(*) FROM jobs WHERE id = ANY($1)", [others.Select(p => p.Job.Id).ToArray()]),
            Is.EqualTo(others.Count));
        Assert.That(await JobRows.CountAsync(
                "SELECT count(*) FROM job_files WHERE job_id = ANY($1) AND kind = 'Input' AND name = 'in.txt'",
                [others.Select(p => p.Job.Id).ToArray()]),
            Is.EqualTo(others.Count), "each written job keeps its upload");
        Assert.That(await JobRows.CountAsync("SELECT count(*) FROM job_files WHERE job_id = $1", taken), Is.Zero,
            "nothing of the refused job is written");
    }

    [Test]
    public async Task A_creation_while_the_batcher_is_idle_is_not_held_back_to_fill_a_batch()
    {
        using var client = server.NewOwner();
        await client.CreateJobAsync();
        var started = TimeProvider.System.GetTimestamp();
        await client.CreateJobAsync();
        // One commit on a shared, loaded machine takes milliseconds to some tens of them; a batcher
        // that waited for company (or for a timer) would show up as a fixed delay well above that.
        Assert.That(TimeProvider.System.GetElapsedTime(started), Is.LessThan(TimeSpan.FromSeconds(1)));
    }

    static JobEntity NewJob(string id, string owner)
    {
        var now = UwsTime.Truncate(TimeProvider.System.GetUtcNow());
        return new JobEntity
        {
            Id = id,
            OwnerId = owner,
            Phase = ExecutionPhase.PENDING,
            PhaseChangedAt = now,
            CreationTime = now,
            ExecutionDuration = 60,
            Destruction = now.AddDays(1),
            Parameters = [new JobParameter("image", UwsClient.Image)],
        };
    }
}
