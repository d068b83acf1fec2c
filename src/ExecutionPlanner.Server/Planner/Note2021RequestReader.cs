using ExecutionPlanner.Server.Http;
using System.Text.Json;
using ExecutionPlanner.Server.Jobs;
using static ExecutionPlanner.Server.Planner.RequestValues;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// The 2021 ExecutionPlanner note's request: <c>tasktype</c>, <c>taskinfo</c> (for a docker container:
/// image, command, environment) and <c>resources</c> with <c>mincores</c>/<c>maxcores</c>,
/// <c>minmemory</c>/<c>maxmemory</c> (GiB numbers or sizes with units such as "32G"),
/// <c>minstorage</c>/<c>maxstorage</c>, <c>maxstartup</c> ("60s": start within this long) and
/// <c>minduration</c> ("4h", or ISO 8601), and data URLs; also <c>schedule {start, duration}</c>.
/// </summary>
public static class Note2021RequestReader
{
    public static TaskRequest Read(JsonElement root, string at = "")
    {
        var refusals = new List<Reason>();
        var kind = StringOf(root, "tasktype", $"{at}/tasktype")
            ?? throw UwsRequestException.BadRequest($"{at}/tasktype is required: the task's type URI, such as uri://docker-container.");
        var info = ObjectOf(root, "taskinfo", $"{at}/taskinfo");
        var resources = ObjectOf(root, "resources", $"{at}/resources");
        var schedule = ObjectOf(root, "schedule", $"{at}/schedule");
        var r = resources ?? default;
        var has = resources is not null;
        string? networkPorts = null;
        var image = info is { } i ? DockerExecutable.Read(i, $"{at}/taskinfo", refusals, out networkPorts) : null;

        var (data, inputs) = has ? DataResources.Read(r, "data", $"{at}/resources/data", refusals) : ([], []);
        var maxStartup = has ? Duration(r, "maxstartup", $"{at}/resources/maxstartup") : null;
        var minDuration = has ? Duration(r, "minduration", $"{at}/resources/minduration") : null;
        var start = schedule is { } s ? Window(s, "start", $"{at}/schedule/start") : null;
        var startPath = $"{at}/schedule/start";
        if (maxStartup is not null && start is null)
        {
            // "Start within 60s of asking": a window from now, which the planner fills in (StartWithin).
            startPath = $"{at}/resources/maxstartup";
        }
        return new TaskRequest
        {
            Kind = kind,
            Name = StringOf(root, "name", $"{at}/name"),
            Image = image,
            Command = info is { } ic ? Strings(ic, "command", $"{at}/taskinfo/command") : [],
            Environment = info is { } ie
                ? Member(ie, "environment") is not null ? Environment(ie, "environment", $"{at}/taskinfo/environment")
                  : Environment(ie, "environment-variables", $"{at}/taskinfo/environment-variables")
                : new Dictionary<string, string>(),
            Cores = has ? Pair(r, "mincores", "maxcores", $"{at}/resources", (o, n, p) => Number(o, n, p, 1m)) : null,
            MemoryBytes = has ? OfferSetRequestReader.Bytes(Pair(r, "minmemory", "maxmemory", $"{at}/resources", Size)) : null,
            StorageBytes = has ? OfferSetRequestReader.Bytes(Pair(r, "minstorage", "maxstorage", $"{at}/resources", Size)) : null,
            Data = data,
            Inputs = inputs,
            Refusals = refusals,
            NetworkPortsPath = networkPorts,
            Start = start,
            StartWithin = maxStartup,
            Duration = minDuration ?? (schedule is { } sd ? Duration(sd, "duration", $"{at}/schedule/duration") : null),
            Authentication = OfferSetRequestReader.Credentials(root, at),
            Paths = new RequestPaths($"{at}/tasktype", $"{at}/taskinfo/image", $"{at}/resources/mincores", $"{at}/resources/minmemory",
                $"{at}/resources/minstorage", startPath, minDuration is null ? $"{at}/schedule/duration" : $"{at}/resources/minduration"),
            Note2021 = true,
        };
    }

    static Range<decimal>? Pair(JsonElement parent, string min, string max, string path, Func<JsonElement, string, string, decimal?> read)
    {
        var range = new Range<decimal>(read(parent, min, $"{path}/{min}"), read(parent, max, $"{path}/{max}"));
        return range.Min is null && range.Max is null ? null
            : range is { Min: { } lo, Max: { } hi } && hi < lo ? throw UwsRequestException.BadRequest($"{path}/{max} must not be below {min}.")
            : range;
    }
}
