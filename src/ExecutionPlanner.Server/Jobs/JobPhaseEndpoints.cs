using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs.Store;
using ExecutionPlanner.Server.Persistence;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>/jobs/{id}/phase: GET the bare phase name; POST PHASE=RUN or PHASE=ABORT (UWS §2.2.3.5-6).</summary>
public static class JobPhaseEndpoints
{
    public static async Task<ContentHttpResult> Get(string jobId, HttpRequest request, UwsDbContext db, CallerResolver callers, CancellationToken ct)
    {
        var job = await db.GetOwnedAsync(jobId, callers.Resolve(request), ct);
        return PlainText.Value(job.Phase.ToString());
    }

    /// <summary>
    /// RUN moves PENDING or HELD to QUEUED (elsewhere 403). ABORT moves any active phase to ABORTED;
    /// on a job that has already ended it changes nothing and still answers 303 (checklist C.21).
    /// </summary>
    public static async Task<SeeOther> Post(
        string jobId, HttpRequest request, UwsDbContext db, CallerResolver callers, JobPhaseChanger phases,
        IHeldJobSlots heldSlots, IOptionsMonitor<JobsOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var caller = callers.Resolve(request);
        var form = await UwsRequestParameters.ReadAsync(request, options.CurrentValue, ct);
        var command = form.One(JobControl.Phase)?.Trim().ToUpperInvariant()
            ?? throw UwsRequestException.BadRequest("PHASE is required: RUN or ABORT.");
        await ChangeAsync(jobId, command, caller, db, phases, heldSlots, clock, ct);
        return new SeeOther(JobLinks.Job(request, jobId));
    }

    /// <summary>Applies PHASE=RUN or PHASE=ABORT (upper case) to the caller's job; shared with the browser view's buttons.</summary>
    internal static async Task ChangeAsync(
        string jobId, string command, Caller caller, UwsDbContext db, JobPhaseChanger phases, IHeldJobSlots heldSlots,
        TimeProvider clock, CancellationToken ct)
    {
        var job = await db.GetOwnedAsync(jobId, caller, ct);
        switch (command)
        {
            case "RUN":
                if (job.Phase == ExecutionPhase.HELD && await heldSlots.SlotOfAsync(jobId, ct) is { } slot && slot > clock.GetUtcNow())
                {
                    // Held for an accepted offer: its capacity is booked from the slot on, not before.
                    throw UwsRequestException.Forbidden(
                        $"The job is held for its offered slot, which starts at {UwsTime.Format(slot)}; it is queued then by itself.");
                }
                if (!await phases.TryMoveAsync(jobId, ExecutionPhase.QUEUED, PhaseTransitions.Runnable, ct))
                {
                    var now = await db.GetOwnedAsync(jobId, caller, ct);
                    throw UwsRequestException.Forbidden(
                        $"The job is {now.Phase}; PHASE=RUN applies only to a PENDING or HELD job.");
                }
                break;
            case "ABORT":
                await AbortAsync(db, phases, job, caller, ct);
                break;
            default:
                throw UwsRequestException.BadRequest($"PHASE '{command}' is not a phase command; use RUN or ABORT.");
        }
    }

    static async Task AbortAsync(UwsDbContext db, JobPhaseChanger phases, JobEntity job, Caller caller, CancellationToken ct)
    {
        // A job can move on between our read and our write (QUEUED -> EXECUTING); try again from
        // where it is now. Each round either aborts it or finds it ended, so this ends.
        while (PhaseTransitions.Abortable.Contains(job.Phase))
        {
            if (await phases.TryMoveAsync(job.Id, ExecutionPhase.ABORTED, PhaseTransitions.Abortable, ct))
            {
                return;
            }
            job = await db.GetOwnedAsync(job.Id, caller, ct);
        }
    }
}
