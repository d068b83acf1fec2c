using ExecutionPlanner.Server.Http;
using System.Text.Json;
using ExecutionPlanner.Server.Jobs;
using static ExecutionPlanner.Server.Planner.RequestValues;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// Reads a task description in any generation of the ExecutionBroker drafts, liberally: components
/// typed by <c>kind</c> + <c>meta.name</c> (Calycopis-openapi, the 2024-25 drafts) or <c>type</c> +
/// <c>name</c> (the 2023 drafts, which also nest compute, storage and data in <c>resources</c> and may
/// wrap the whole request in <c>request</c>); compute and storage as one object or a list; data as URLs
/// or typed resources; volume mounts on the compute resource or beside it. The 2021 note's form goes to
/// <see cref="Note2021RequestReader"/>. Memory and storage numbers are GiB; strings may carry units.
/// A value of the wrong shape is a 400 naming its JSON Pointer; a well-formed request for something
/// this service does not do (privileged containers, S3 data, ...) is read, and answered NO with the reason.
/// </summary>
public static class OfferSetRequestReader
{
    public static bool IsNote2021(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && (Member(root, "tasktype") is not null || Member(root, "taskinfo") is not null);

    public static TaskRequest Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw UwsRequestException.BadRequest("The request body must be an object describing the task.");
        }
        if (IsNote2021(root))
        {
            return Note2021RequestReader.Read(root);
        }
        // The 2023 draft's request: {"request": {"executable": ..., "resources": ...}}.
        return Member(root, "executable") is null && ObjectOf(root, "request", "/request") is { } inner
            ? IsNote2021(inner) ? Note2021RequestReader.Read(inner, "/request") : ReadExecutionBroker(inner, "/request")
            : ReadExecutionBroker(root, string.Empty);
    }

    static TaskRequest ReadExecutionBroker(JsonElement root, string at)
    {
        var refusals = new List<Reason>();
        var executable = ObjectOf(root, "executable", $"{at}/executable")
            ?? throw UwsRequestException.BadRequest($"{at}/executable is required: the task's executable, with its kind URI.");
        var (kind, kindPath) = Kind(executable, $"{at}/executable");
        if (string.IsNullOrWhiteSpace(kind))
        {
            throw UwsRequestException.BadRequest($"{at}/executable/kind is required: the executable's kind URI (\"type\" in the 2023 drafts).");
        }
        var image = DockerExecutable.Read(executable, $"{at}/executable", refusals, out var networkPorts);

        // Compute, storage, data and volumes sit at the top (2024 on) or in "resources" (2023).
        var resources = ObjectOf(root, "resources", $"{at}/resources");
        (JsonElement Parent, string Path) Holder(string name) =>
            Member(root, name) is null && resources is { } r && Member(r, name) is not null ? (r, $"{at}/resources") : (root, at);

        var ch = Holder("compute");
        var compute = ObjectOrList(ch.Parent, "compute", $"{ch.Path}/compute");
        Range<decimal>? cores = null;
        Range<decimal>? memory = null;
        string coresPath = $"{at}/compute/cores/min", memoryPath = $"{at}/compute/memory/min";
        var volumes = new List<(JsonElement Item, string Path)>();
        if (compute.Count > 1)
        {
            refusals.Add(new Reason(compute[1].Path, "This service runs a task in one container: give one compute resource."));
        }
        if (compute.Count > 0)
        {
            var (c, cPath) = compute[0];
            var (computeKind, computeKindPath) = Kind(c, cPath);
            if (computeKind is not null && !ResourceKinds.IsCompute(computeKind))
            {
                refusals.Add(new Reason(computeKindPath,
                    $"The compute kind '{computeKind}' is not one this service provides; it offers a simple compute resource (cores and memory)."));
            }
            cores = Range(c, "cores", $"{cPath}/cores", (o, n, p) => Number(o, n, p, 1m), out coresPath);
            memory = Range(c, "memory", $"{cPath}/memory", Size, out memoryPath);
            volumes.AddRange(ObjectOrList(c, "volumes", $"{cPath}/volumes"));
        }
        var vh = Holder("volumes");
        volumes.AddRange(ObjectOrList(vh.Parent, "volumes", $"{vh.Path}/volumes"));

        var sh = Holder("storage");
        var storageNames = new List<string>();
        Range<decimal>? storage = null;
        var storagePath = $"{sh.Path}/storage";
        foreach (var (s, sPath) in ObjectOrList(sh.Parent, "storage", storagePath))
        {
            var (storageKind, storageKindPath) = Kind(s, sPath);
            if (storageKind is not null && !ResourceKinds.IsStorage(storageKind))
            {
                refusals.Add(new Reason(storageKindPath,
                    $"The storage kind '{storageKind}' is not one this service provides; it offers scratch storage that lasts as long as the job."));
            }
            if (ComponentName(s, sPath) is { } storageName)
            {
                storageNames.Add(storageName);
            }
            var size = Range(s, "size", $"{sPath}/size", Size, out var sizePath);
            if (size is { } z)
            {
                storagePath = storage is null ? sizePath : storagePath;
                storage = new Range<decimal>(Sum(storage?.Min, z.Min), Sum(storage?.Max, z.Max));
            }
        }

        var dh = Holder("data");
        var (data, inputs) = DataResources.Read(dh.Parent, "data", $"{dh.Path}/data", refusals);
        VolumeMounts.Check(volumes, inputs, storageNames, refusals);

        var schedule = ObjectOf(root, "schedule", $"{at}/schedule");
        var requested = schedule is { } sc ? ObjectOf(sc, "requested", $"{at}/schedule/requested") : null;
        var (when, whenPath) = requested is { } rq ? (rq, $"{at}/schedule/requested") : schedule is { } sc2 ? (sc2, $"{at}/schedule") : (default, $"{at}/schedule/requested");
        return new TaskRequest
        {
            Kind = kind,
            Name = StringOf(root, "name", $"{at}/name")
                ?? (ObjectOf(root, "meta", $"{at}/meta") is { } meta ? StringOf(meta, "name", $"{at}/meta/name") : null)
                ?? ComponentName(executable, $"{at}/executable"),
            Image = image,
            Command = Strings(executable, "command", $"{at}/executable/command"),
            Environment = Environment(executable, "environment", $"{at}/executable/environment"),
            Cores = cores,
            MemoryBytes = Bytes(memory),
            StorageBytes = Bytes(storage),
            Data = data,
            Inputs = inputs,
            Refusals = refusals,
            NetworkPortsPath = networkPorts,
            Start = when.ValueKind == JsonValueKind.Object ? Window(when, "start", $"{whenPath}/start") : null,
            Duration = when.ValueKind == JsonValueKind.Object ? Duration(when, "duration", $"{whenPath}/duration") : null,
            Authentication = Credentials(root, at),
            Paths = new RequestPaths(kindPath, $"{at}/executable/image", coresPath, memoryPath, storagePath,
                $"{whenPath}/start", $"{whenPath}/duration"),
        };
    }

    /// <summary>{"min": .., "max": ..}, a bare value (min = max), or the answer's own {"requested": {"min", "max"}}.</summary>
    static Range<decimal>? Range(JsonElement parent, string name, string path, Func<JsonElement, string, string, decimal?> read, out string minPath)
    {
        minPath = $"{path}/min";
        if (Member(parent, name) is not { } value)
        {
            return null;
        }
        if (value.ValueKind is JsonValueKind.Number or JsonValueKind.String)
        {
            minPath = path;
            var v = read(parent, name, path);
            return new Range<decimal>(v, v);
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw UwsRequestException.BadRequest($"{path} must be {{\"min\": ..., \"max\": ...}}.");
        }
        if (Member(value, "min") is null && Member(value, "max") is null && ObjectOf(value, "requested", $"{path}/requested") is { } requested)
        {
            (value, path) = (requested, $"{path}/requested");
            minPath = $"{path}/min";
        }
        var range = new Range<decimal>(read(value, "min", $"{path}/min"), read(value, "max", $"{path}/max"));
        return range is { Min: { } lo, Max: { } hi } && hi < lo
            ? throw UwsRequestException.BadRequest($"{path}: max must not be below min.")
            : range;
    }

    static decimal? Sum(decimal? a, decimal? b) => a is null && b is null ? null : (a ?? 0) + (b ?? 0);

    internal static Range<long>? Bytes(Range<decimal>? range) =>
        range is { } r ? new Range<long>(ToBytes(r.Min), ToBytes(r.Max)) : null;

    static long? ToBytes(decimal? value) =>
        value is { } v ? (long)Math.Min(decimal.Ceiling(v), long.MaxValue) : null;

    internal static List<ExplicitCredential> Credentials(JsonElement root, string at)
    {
        if (Member(root, "authentication") is not { } list)
        {
            return [];
        }
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw UwsRequestException.BadRequest($"{at}/authentication must be an array of {{type, mode, spec}}.");
        }
        return list.EnumerateArray().Select((a, i) =>
        {
            var path = $"{at}/authentication/{i}";
            if (a.ValueKind != JsonValueKind.Object)
            {
                throw UwsRequestException.BadRequest($"{path} must be an object {{type, mode, spec}}.");
            }
            var (type, _) = Kind(a, path);
            var spec = ObjectOf(a, "spec", $"{path}/spec");
            var token = spec is { } sp ? StringOf(sp, "token", $"{path}/spec/token") : null;
            return new ExplicitCredential(
                type ?? throw UwsRequestException.BadRequest($"{path}/type is required: the credential's type URI."),
                StringOf(a, "mode", $"{path}/mode"), token);
        }).ToList();
    }
}
