using System.Net;
using System.Net.Http.Headers;
using ExecutionPlanner.Tests.Support;
using ExecutionPlanner.Server.Execution;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// The Hangfire dashboard at /hangfire: operators (Auth:Operators) only, with the API's own authentication; read-only
/// by default; each UWS run names and links its UWS job. The server runs no jobs, so its Hangfire job stays Enqueued.
/// </summary>
public sealed class HangfireDashboardTests : PrivateServerFixture
{
    const string OperatorToken = "operator-token-1234";
    const string Operator = "the-operator";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        [$"Auth:Tokens:{OperatorToken}"] = Operator,
        ["Auth:Operators:0"] = Operator,
    };

    HttpClient As(string? token)
    {
        var client = Server.Anonymous();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    [Test]
    public async Task A_caller_who_is_not_an_operator_gets_403_and_sees_no_jobs()
    {
        using var owner = Server.NewOwner();
        using var anonymous = As(null);
        foreach (var client in new[] { owner, anonymous })
        {
            foreach (var path in new[] { "/hangfire", "/hangfire/jobs/enqueued", "/hangfire/stats" })
            {
                using var response = await client.GetAsync(path);
                var body = await response.Content.ReadAsStringAsync();
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), path);
                Assert.That(body, Does.Contain("operators only").And.Not.Contain("UWS job"), path);
            }
        }
    }

    [Test]
    public async Task An_unknown_token_gets_401_with_a_challenge()
    {
        using var client = As("not-a-known-token");
        using var response = await client.GetAsync("/hangfire");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer"));
    }

    [Test]
    public async Task An_operator_sees_each_run_named_and_linked_to_its_uws_job_and_cannot_change_it()
    {
        using var owner = Server.NewOwner(out var ownerId);
        var id = await owner.CreateJobAsync(("cmd", "true"), ("PHASE", "RUN"));
        string? hangfireJobId = null;
        await ExecutionTests.WaitUntilAsync(async () => (hangfireJobId = await HangfireJobOfAsync(id)) is not null, TimeSpan.FromSeconds(30));

        using var operatorClient = As(OperatorToken);
        using var list = await operatorClient.GetAsync("/hangfire/jobs/enqueued/uws");
        var listHtml = await list.Content.ReadAsStringAsync();
        using var details = await operatorClient.GetAsync($"/hangfire/jobs/details/{hangfireJobId}");
        var detailsHtml = await details.Content.ReadAsStringAsync();
        // Read-only: Hangfire refuses its own commands (and shows no buttons for them).
        using var delete = await operatorClient.PostAsync("/hangfire/jobs/enqueued/delete",
            new FormUrlEncodedContent([KeyValuePair.Create("jobs[]", hangfireJobId!)]));

        Assert.Multiple(() =>
        {
            Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(listHtml, Does.Contain($"UWS job {id} (owner {ownerId})"));
            Assert.That(listHtml, Does.Not.Contain("js-jobs-list-command"), "no delete or requeue buttons");
            Assert.That(details.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(detailsHtml, Does.Contain($"href=\"/jobs/{id}\""), "a link to the UWS job");
            Assert.That(delete.IsSuccessStatusCode, Is.False, "read-only: the dashboard changes nothing");
        });
        Assert.That(await HangfireStateAsync(hangfireJobId!), Is.EqualTo("Enqueued"), "the Hangfire job is still enqueued");
    }

    async Task<string?> HangfireStateAsync(string hangfireJobId)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT statename FROM hangfire.job WHERE id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = long.Parse(hangfireJobId, System.Globalization.CultureInfo.InvariantCulture) });
        return await command.ExecuteScalarAsync() as string;
    }

    [Test]
    public async Task Abort_of_a_queued_job_deletes_its_hangfire_job()
    {
        using var owner = Server.NewOwner();
        var id = await owner.CreateJobAsync(("cmd", "true"), ("PHASE", "RUN"));
        string? hangfireJobId = null;
        await ExecutionTests.WaitUntilAsync(async () => (hangfireJobId = await HangfireJobOfAsync(id)) is not null, TimeSpan.FromSeconds(30));
        using var abort = await owner.PostFormAsync($"/jobs/{id}/phase", ("PHASE", "ABORT"));
        Assert.That(abort.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));

        var cancelled = await Server.Services.GetRequiredService<QueuedJobDispatcher>().CancelUnneededAsync(CancellationToken.None);

        Assert.That(cancelled, Is.GreaterThanOrEqualTo(1));
        Assert.That(await HangfireStateAsync(hangfireJobId!), Is.EqualTo("Deleted"));
        Assert.That(await HangfireJobOfAsync(id), Is.Null, "the row let go of it");
    }

    async Task<string?> HangfireJobOfAsync(string jobId)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT hangfire_job_id FROM jobs WHERE id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        return await command.ExecuteScalarAsync() as string;
    }
}
