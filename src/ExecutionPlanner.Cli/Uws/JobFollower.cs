namespace ExecutionPlanner.Cli.Uws;

/// <summary>
/// Follows a job to its end with UWS 1.1 blocking GETs (WAIT with the current PHASE), so a phase change is seen
/// when it happens without polling. A service that ignores WAIT answers at once; then the follower paces itself.
/// </summary>
internal sealed class JobFollower(UwsService uws, TimeProvider clock)
{
    static readonly TimeSpan WaitPerRequest = TimeSpan.FromSeconds(30);
    static readonly TimeSpan PaceWhenWaitIgnored = TimeSpan.FromSeconds(1);

    /// <summary>Returns the job in a final phase, or as last seen when <paramref name="timeout"/> ran out.</summary>
    public async Task<UwsJob> FollowAsync(Uri jobUrl, TimeSpan? timeout, Action<UwsJob> phaseSeen, CancellationToken ct)
    {
        var deadline = timeout is { } t ? clock.GetUtcNow() + t : DateTimeOffset.MaxValue;
        var job = await uws.GetAsync(jobUrl, null, null, ct);
        phaseSeen(job);
        while (!job.Final && clock.GetUtcNow() < deadline)
        {
            var left = deadline - clock.GetUtcNow();
            var wait = left < WaitPerRequest ? left : WaitPerRequest;
            var asked = clock.GetTimestamp();
            var next = await uws.GetAsync(jobUrl, wait, job.Phase, ct);
            if (next.Phase != job.Phase)
            {
                phaseSeen(next);
            }
            else if (clock.GetElapsedTime(asked) < PaceWhenWaitIgnored)
            {
                // Same phase, answered at once: WAIT is not supported here (or PENDING, which UWS does not block on).
                await Task.Delay(PaceWhenWaitIgnored, clock, ct);
            }
            job = next;
        }
        return job;
    }
}
