using ExecutionPlanner.Server.Http;
using System.Text.Json.Nodes;
using ExecutionPlanner.Server.Jobs;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// The 2021 note's stateless endpoints: GET /planner/accepts?tasktype=&lt;URI&gt; (can this service run
/// this type of task? optionally with taskinfo.image), and POST /planner/accept with the task (JSON,
/// YAML or a form of tasktype, taskinfo.*, resources.*), answered in the note's shape with offers.
/// </summary>
public static class Note2021Endpoints
{
    public static JsonHttpResult<JsonObject> Accepts(HttpRequest request, IOptionsMonitor<JobsOptions> jobs)
    {
        var query = request.Query;
        var type = query["tasktype"].FirstOrDefault();
        if (string.IsNullOrWhiteSpace(type))
        {
            throw UwsRequestException.BadRequest("tasktype is required: GET /planner/accepts?tasktype=uri://docker-container.");
        }
        var reasons = new List<Reason>();
        if (!ExecutableKinds.IsDockerContainer(type))
        {
            reasons.Add(new Reason("tasktype", $"The task type '{type}' is not one this service runs; it runs uri://docker-container."));
        }
        else if (query["taskinfo.image"].FirstOrDefault() is { Length: > 0 } image)
        {
            try
            {
                JobParameterContract.Validate([new(JobParameterContract.Image, image)], [], jobs.CurrentValue);
            }
            catch (UwsRequestException ex)
            {
                reasons.Add(new Reason("taskinfo.image", ex.Message));
            }
        }
        return TypedResults.Json(Note2021Json.Accepts(request, reasons));
    }

    public static async Task<JsonHttpResult<JsonObject>> Accept(HttpRequest request, OfferSetBooking booking, CancellationToken ct)
    {
        var (set, now) = await booking.BookAsync(request, ct);
        return TypedResults.Json(Note2021Json.Reply(set, request, now));
    }
}
