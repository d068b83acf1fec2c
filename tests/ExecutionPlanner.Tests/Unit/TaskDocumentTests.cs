using ExecutionPlanner.Cli.Tasks;

namespace ExecutionPlanner.Tests.Unit;

/// <summary>Task files in the three forms, JSON or YAML, read into one task; and back out as each planner's request.</summary>
public sealed class TaskDocumentTests
{
    [Test]
    public void A_plain_YAML_task_file_gives_image_arguments_environment_and_ranges()
    {
        var task = Read("task.yaml", """
            image: executionplanner/busybox:1
            cmd: [sh, -c, "echo hi > /uws/results/hi.txt"]
            env: {GREETING: hello}
            cores: 1-2
            memory: 512Mi-2Gi
            duration: 10m
            """);
        Assert.That(task.Image, Is.EqualTo("executionplanner/busybox:1"));
        Assert.That(task.Command, Is.EqualTo(new[] { "sh", "-c", "echo hi > /uws/results/hi.txt" }));
        Assert.That(task.Environment["GREETING"], Is.EqualTo("hello"));
        Assert.That((task.CoresMin, task.CoresMax, task.MemoryMinGiB, task.MemoryMaxGiB), Is.EqualTo(((decimal?)1m, (decimal?)2m, (decimal?)0.5m, (decimal?)2m)));
        Assert.That(task.Duration, Is.EqualTo(TimeSpan.FromMinutes(10)));
    }

    [Test]
    public void An_ExecutionBroker_request_in_JSON_is_read_back_and_written_the_same()
    {
        var task = Read("task.json", """
            {"executable": {"kind": "https://www.purl.org/ivoa.net/EB/schema/v1.0/types/executable/docker-container-1.0",
                            "image": "executionplanner/busybox:1", "command": ["echo", "hi"]},
             "compute": {"cores": {"min": 1, "max": 2}, "memory": {"min": 1, "max": 4}},
             "schedule": {"requested": {"start": "2026-11-22T10:00:00Z/PT2H", "duration": "PT10M"}}}
            """);
        var request = PlannerRequests.ExecutionBroker(task);
        Assert.That(request["executable"]!["command"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "echo", "hi" }));
        Assert.That(request["compute"]!["memory"]!["max"]!.GetValue<decimal>(), Is.EqualTo(4m));
        Assert.That(request["schedule"]!["requested"]!["start"]!.GetValue<string>(), Is.EqualTo("2026-11-22T10:00:00Z/PT2H"));
        Assert.That(request["schedule"]!["requested"]!["duration"]!.GetValue<string>(), Is.EqualTo("PT10M"));
    }

    [Test]
    public void A_2021_Note_request_in_YAML_is_read_and_written_in_the_Note_form()
    {
        var task = Read("task.yml", """
            tasktype: uri://docker-container
            taskinfo:
              image: executionplanner/busybox:1
              command: [echo, hi]
            resources: {mincores: 2, maxcores: 4, minmemory: 8G, maxmemory: 16G}
            """);
        Assert.That((task.Image, task.CoresMin, task.MemoryMaxGiB), Is.EqualTo(("executionplanner/busybox:1", (decimal?)2m, (decimal?)16m)));
        var note = PlannerRequests.Note2021(task);
        Assert.That(note["tasktype"]!.GetValue<string>(), Is.EqualTo("uri://docker-container"));
        Assert.That(note["taskinfo"]!["image"]!.GetValue<string>(), Is.EqualTo("executionplanner/busybox:1"));
        Assert.That(note["resources"]!["maxcores"]!.GetValue<decimal>(), Is.EqualTo(4m));
    }

    [Test]
    public void A_Note_answer_becomes_simple_docker_uws_parameters_with_the_offered_resources()
    {
        var task = new TaskSpec { Image = "img", Command = ["a", "b"], Environment = new Dictionary<string, string> { ["X"] = "1" } };
        var parameters = PlannerRequests.JobParameters(task, 2m, 0.5m, TimeSpan.FromMinutes(10));
        Assert.That(parameters.Select(p => $"{p.Key}={p.Value}"), Is.EqualTo(new[] { "image=img", "cmd=a", "cmd=b", "env=X=1", "cores=2", "memory=512Mi", "EXECUTIONDURATION=600" }));
    }

    [Test]
    public void A_broken_task_file_is_a_usage_error_naming_the_file()
    {
        var ex = Assert.Throws<ExecutionPlanner.Cli.CliException>(() => Read("broken.yaml", "image: [unclosed"));
        Assert.That(ex!.Message, Does.Contain("broken.yaml"));
        Assert.That(ex.ExitCode, Is.EqualTo(64));
    }

    static TaskSpec Read(string name, string text)
    {
        var folder = Directory.CreateTempSubdirectory("ep-task-").FullName;
        try
        {
            var path = Path.Combine(folder, name);
            File.WriteAllText(path, text);
            return TaskDocument.Read(path);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
