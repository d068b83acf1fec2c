using System.Globalization;
using System.Text.Json.Nodes;

namespace ExecutionPlanner.Cli.Tasks;

/// <summary>A task as the bodies planners read: the ExecutionBroker form (ours, Calycopis) and the 2021 Note's form.</summary>
internal static class PlannerRequests
{
    public static JsonObject ExecutionBroker(TaskSpec task)
    {
        var executable = new JsonObject
        {
            ["kind"] = TaskSpec.DockerKind,
            ["image"] = task.Image,
            ["command"] = new JsonArray(task.Command.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
        };
        if (task.Environment.Count > 0)
        {
            executable["environment"] = new JsonObject(task.Environment.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(e.Value))));
        }
        var request = new JsonObject { ["executable"] = executable };
        if (task.Name is { } name)
        {
            request["name"] = name;
        }
        var compute = new JsonObject();
        if (MinMax(task.CoresMin, task.CoresMax) is { } cores)
        {
            compute["cores"] = cores;
        }
        if (MinMax(task.MemoryMinGiB, task.MemoryMaxGiB) is { } memory)
        {
            compute["memory"] = memory;
        }
        if (compute.Count > 0)
        {
            request["compute"] = compute;
        }
        var requested = new JsonObject();
        if (task.Start is { } start)
        {
            requested["start"] = start;
        }
        if (task.Duration is { } duration)
        {
            requested["duration"] = Quantities.FormatDuration(duration);
        }
        if (requested.Count > 0)
        {
            request["schedule"] = new JsonObject { ["requested"] = requested };
        }
        return request;
    }

    /// <summary>The 2021 Note's <c>tasktype</c>/<c>taskinfo</c>/<c>resources</c> form.</summary>
    public static JsonObject Note2021(TaskSpec task)
    {
        var info = new JsonObject
        {
            ["image"] = task.Image,
            ["command"] = new JsonArray(task.Command.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
        };
        if (task.Environment.Count > 0)
        {
            info["environment"] = new JsonObject(task.Environment.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(e.Value))));
        }
        var resources = new JsonObject();
        Put(resources, "mincores", task.CoresMin);
        Put(resources, "maxcores", task.CoresMax);
        Put(resources, "minmemory", task.MemoryMinGiB);
        Put(resources, "maxmemory", task.MemoryMaxGiB);
        var request = new JsonObject { ["tasktype"] = "uri://docker-container", ["taskinfo"] = info };
        if (resources.Count > 0)
        {
            request["resources"] = resources;
        }
        var schedule = new JsonObject();
        if (task.Start is { } start)
        {
            schedule["start"] = start;
        }
        if (task.Duration is { } duration)
        {
            schedule["duration"] = Quantities.FormatDuration(duration);
        }
        if (schedule.Count > 0)
        {
            request["schedule"] = schedule;
        }
        return request;
    }

    /// <summary>
    /// The simple-docker-uws job parameters for running the task directly on a job list (a 2021 Note answer names
    /// only an endpoint, so there is no offer to accept). The resources are what was offered, else the request's maxima.
    /// </summary>
    public static List<KeyValuePair<string, string>> JobParameters(TaskSpec task, decimal? cores, decimal? memoryGiB, TimeSpan? duration)
    {
        var parameters = new List<KeyValuePair<string, string>> { new("image", task.Image ?? "") };
        parameters.AddRange(task.Command.Select(c => KeyValuePair.Create("cmd", c)));
        parameters.AddRange(task.Environment.Select(e => KeyValuePair.Create("env", $"{e.Key}={e.Value}")));
        if ((cores ?? task.CoresMax ?? task.CoresMin) is { } c)
        {
            parameters.Add(new("cores", Quantities.Format(c)));
        }
        if ((memoryGiB ?? task.MemoryMaxGiB ?? task.MemoryMinGiB) is { } m)
        {
            parameters.Add(new("memory", Quantities.MemoryParameter(m)));
        }
        if ((duration ?? task.Duration) is { } d)
        {
            parameters.Add(new("EXECUTIONDURATION", ((long)Math.Ceiling(d.TotalSeconds)).ToString(CultureInfo.InvariantCulture)));
        }
        return parameters;
    }

    static JsonObject? MinMax(decimal? min, decimal? max)
    {
        if (min is null && max is null)
        {
            return null;
        }
        var o = new JsonObject();
        Put(o, "min", min ?? max);
        Put(o, "max", max ?? min);
        return o;
    }

    static void Put(JsonObject o, string name, decimal? value)
    {
        if (value is { } v)
        {
            o[name] = v;
        }
    }
}
