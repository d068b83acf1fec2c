using ExecutionPlanner.Server.Execution;
using ExecutionPlanner.Tests.Support;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// The dispatcher's hand-over of QUEUED jobs to Hangfire (Jobs/Store/JobHandOvers), which records a burst's Hangfire
/// jobs on their rows a chunk at a time. The server runs no jobs, so the Hangfire jobs stay enqueued for inspection.
/// </summary>
public sealed class HandOverTests : PrivateServerFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    [Test]
    public async Task A_burst_of_queued_jobs_gets_one_hangfire_job_each_naming_its_own_job()
    {
        // One statement, so the whole burst is there when the dispatcher looks: its chunks then hold several rows.
        const int Burst = 37;
        var ids = Enumerable.Range(0, Burst).Select(_ => JobRows.NewId()).ToArray();
        await JobRows.ExecuteOnAsync(Server.ConnectionString, """
            INSERT INTO jobs (id, owner_id, phase, phase_changed_at, creation_time, queued_at, execution_duration, destruction, parameters)
            SELECT id, 'burst-owner', 'QUEUED', now(), now(), now(), 3600, now() + interval '7 days',
                   '[{"Name":"image","Value":"executionplanner/busybox:1"}]'::jsonb
              FROM unnest($1::text[]) AS id
            """, [ids]);

        await ExecutionTests.WaitUntilAsync(async () => await CountAsync(
            "SELECT count(*) FROM jobs WHERE id = ANY($1) AND hangfire_job_id IS NOT NULL", ids) == Burst, TimeSpan.FromSeconds(30));

        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync("SELECT count(DISTINCT hangfire_job_id) FROM jobs WHERE id = ANY($1)", ids), Is.EqualTo(Burst));
            // Each row names the Hangfire job that runs that very row: its arguments are the row's id and owner.
            Assert.That(await CountAsync("""
                SELECT count(*) FROM jobs j JOIN hangfire.job h ON h.id = j.hangfire_job_id::bigint
                 WHERE j.id = ANY($1) AND h.statename = 'Enqueued'
                   AND h.arguments = jsonb_build_array(to_jsonb(j.id)::text, to_jsonb(j.owner_id)::text)
                """, ids), Is.EqualTo(Burst));
            Assert.That(await CountAsync($"""
                SELECT count(*) FROM jobs j JOIN hangfire.jobqueue q ON q.jobid = j.hangfire_job_id::bigint
                 WHERE j.id = ANY($1) AND q.queue = '{UwsJobRun.Queue}'
                """, ids), Is.EqualTo(Burst));
        });
    }

    Task<long> CountAsync(string sql, string[] ids) => JobRows.CountOnAsync(Server.ConnectionString, sql, [ids]);
}
