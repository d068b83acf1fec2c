using System.Net;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

public sealed class JobLifecycleTests : ServerFixture
{
    [Test]
    public async Task Create_answers_303_and_the_job_is_pending_with_its_parameters_in_order()
    {
        using var client = Server.NewOwner(out var owner);
        var id = await client.CreateJobAsync(("cmd", "echo"), ("CMD", "b"), ("cmd", "a"), ("env", "X=1"), ("RUNID", "my run"));
        var job = await client.GetJobAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(PhaseOf(job), Is.EqualTo("PENDING"));
            Assert.That(job.Attribute("version")?.Value, Is.EqualTo("1.1"));
            Assert.That(job.Element(Uws + "jobId")!.Value, Is.EqualTo(id));
            Assert.That(job.Element(Uws + "runId")!.Value, Is.EqualTo("my run"));
            Assert.That(job.Element(Uws + "ownerId")!.Value, Is.EqualTo(owner));
            Assert.That(job.Element(Uws + "parameters")!.Elements().Where(p => p.Attribute("id")!.Value == "cmd").Select(p => p.Value),
                Is.EqualTo(new[] { "echo", "b", "a" }));
        });
    }

    [Test]
    public async Task Phase_RUN_in_the_creating_POST_queues_the_job_at_once()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync(("PHASE", "RUN"));
        Assert.That(await client.PhaseAsync(id), Is.EqualTo("QUEUED"));
    }

    [Test]
    public async Task Run_moves_a_pending_job_to_queued_and_a_second_run_gets_403()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        using var run = await client.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "RUN"));
        Assert.That(run.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(run.Headers.Location!.AbsolutePath, Is.EqualTo($"/jobs/{id}"));
        Assert.That(await client.PhaseAsync(id), Is.EqualTo("QUEUED"));
        using var again = await client.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "RUN"));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await again.Content.ReadAsStringAsync(), Does.Contain("QUEUED"));
    }

    [Test]
    public async Task Phase_in_the_query_string_of_a_POST_with_an_empty_body_is_honoured()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        using var abort = await client.PostAsync($"/jobs/{id}/phase?PHASE=abort", null);
        Assert.That(abort.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(await client.PhaseAsync(id), Is.EqualTo("ABORTED"));
    }

    [Test]
    public async Task Abort_of_an_ended_job_changes_nothing_and_answers_303()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        (await client.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "ABORT"))).Dispose();
        var endTime = (await client.GetJobAsync(id)).Element(Uws + "endTime")!.Value;
        using var again = await client.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "ABORT"));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        var job = await client.GetJobAsync(id);
        Assert.That(PhaseOf(job), Is.EqualTo("ABORTED"));
        Assert.That(job.Element(Uws + "endTime")!.Value, Is.EqualTo(endTime));
    }

    [TestCase("SUSPEND")]
    [TestCase("")]
    [TestCase("COMPLETED")]
    public async Task A_phase_command_other_than_RUN_or_ABORT_gets_400(string command)
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        using var response = await client.PostFormAsync($"/jobs/{id}/phase", ("PHASE", command));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("RUN or ABORT"));
        Assert.That(await client.PhaseAsync(id), Is.EqualTo("PENDING"));
    }

    [Test]
    public async Task Delete_answers_303_to_the_job_list_and_the_job_is_gone()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        using var delete = await client.DeleteAsync($"/jobs/{id}");
        Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(delete.Headers.Location!.AbsolutePath, Is.EqualTo("/jobs"));
        Assert.That((await client.GetTextAsync($"/jobs/{id}")).Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Post_ACTION_DELETE_destroys_the_job_like_DELETE()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        using var delete = await client.PostFormAsync($"/jobs/{id}", ("action", "delete"));
        Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(delete.Headers.Location!.AbsolutePath, Is.EqualTo("/jobs"));
        Assert.That((await client.GetTextAsync($"/jobs/{id}/phase")).Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Execution_duration_is_set_clamped_to_the_maximum_and_frozen_after_run()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        using (var set = await client.PostFormAsync($"/jobs/{id}/executionduration", ("EXECUTIONDURATION", "120")))
        {
            Assert.That(set.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        Assert.That((await client.GetTextAsync($"/jobs/{id}/executionduration")).Body, Is.EqualTo("120"));
        (await client.PostFormAsync($"/jobs/{id}/executionduration", ("executionduration", "999999999"))).Dispose();
        Assert.That((await client.GetTextAsync($"/jobs/{id}/executionduration")).Body, Is.EqualTo("86400"));
        using (var bad = await client.PostFormAsync($"/jobs/{id}/executionduration", ("EXECUTIONDURATION", "ten")))
        {
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }
        (await client.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "RUN"))).Dispose();
        using var frozen = await client.PostFormAsync($"/jobs/{id}/executionduration", ("EXECUTIONDURATION", "60"));
        Assert.That(frozen.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Destruction_is_set_and_clamped_to_the_maximum_lifetime()
    {
        using var client = Server.NewOwner();
        var id = await client.CreateJobAsync();
        var created = DateTimeOffset.Parse((await client.GetJobAsync(id)).Element(Uws + "creationTime")!.Value, System.Globalization.CultureInfo.InvariantCulture);
        var wanted = created.AddDays(2).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture);
        using (var set = await client.PostFormAsync($"/jobs/{id}/destruction", ("DESTRUCTION", wanted)))
        {
            Assert.That(set.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }
        var destruction = DateTimeOffset.Parse((await client.GetTextAsync($"/jobs/{id}/destruction")).Body, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(destruction, Is.EqualTo(created.AddDays(2)).Within(TimeSpan.FromMilliseconds(1)));
        (await client.PostFormAsync($"/jobs/{id}/destruction", ("DESTRUCTION", "2999-01-01T00:00:00Z"))).Dispose();
        destruction = DateTimeOffset.Parse((await client.GetTextAsync($"/jobs/{id}/destruction")).Body, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(destruction, Is.EqualTo(created.AddDays(30)));
        using var bad = await client.PostFormAsync($"/jobs/{id}/destruction", ("DESTRUCTION", "next tuesday"));
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Quote_owner_and_error_have_their_plain_text_forms()
    {
        using var client = Server.NewOwner(out var owner);
        var id = await client.CreateJobAsync();
        Assert.That(await client.GetTextAsync($"/jobs/{id}/quote"), Is.EqualTo((HttpStatusCode.OK, "")));
        Assert.That(await client.GetTextAsync($"/jobs/{id}/owner"), Is.EqualTo((HttpStatusCode.OK, owner)));
        Assert.That((await client.GetTextAsync($"/jobs/{id}/error")).Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Another_owner_gets_404_for_the_job_and_never_sees_it_listed()
    {
        using var alice = Server.NewOwner();
        using var bob = Server.NewOwner();
        var id = await alice.CreateJobAsync();
        Assert.That((await bob.GetTextAsync($"/jobs/{id}")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        using (var delete = await bob.DeleteAsync($"/jobs/{id}"))
        {
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        }
        var list = await bob.GetUwsXmlAsync("/jobs");
        Assert.That(list.Root!.Elements(Uws + "jobref").Select(j => j.Attribute("id")!.Value), Does.Not.Contain(id));
        Assert.That(await alice.PhaseAsync(id), Is.EqualTo("PENDING"));
    }

    [Test]
    public async Task An_unknown_token_gets_401_and_an_empty_basic_header_is_anonymous()
    {
        using var stranger = Server.Anonymous();
        stranger.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-a-token");
        using (var response = await stranger.GetAsync("/jobs"))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer"));
        }
        using var anonymous = Server.Anonymous();
        anonymous.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(":"u8.ToArray()));
        var id = await anonymous.CreateJobAsync();
        var job = await anonymous.GetJobAsync(id);
        Assert.That(job.Element(Uws + "ownerId")!.Attribute(Xsi + "nil")?.Value, Is.EqualTo("true"));
    }

    [Test]
    public async Task A_node_that_runs_no_jobs_is_ready_without_a_docker_engine_check()
    {
        using var client = Server.Anonymous();
        var (status, body) = await client.GetTextAsync("/health/ready");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(body, Does.Contain("postgresql").And.Not.Contain("docker"));
        Assert.That((await client.GetTextAsync("/health/live")).Status, Is.EqualTo(HttpStatusCode.OK));
    }
}
