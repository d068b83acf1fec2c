using System.Text;
using System.Xml;
using System.Xml.Linq;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Persistence;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Unit;

[Parallelizable(ParallelScope.Children)]
public sealed class UwsXmlTests
{
    const string JobList = "http://host:8080/jobs";
    const string JobUrl = JobList + "/abc";
    static readonly DateTimeOffset T0 = new(2026, 1, 31, 12, 0, 0, 123, TimeSpan.Zero);

    static readonly JobFileInfo[] Files =
    [
        new(JobFileKind.Input, "data.csv", "text/csv", 10),
        new(JobFileKind.Result, "out.txt", "text/plain", 42),
        new(JobFileKind.Result, "a b.fits", "application/fits", 123_456_789_012),
    ];

    static readonly string[] FullOrder =
    [
        "jobId", "runId", "ownerId", "phase", "quote", "creationTime", "startTime", "endTime",
        "executionDuration", "destruction", "parameters", "results", "errorSummary", "jobInfo",
    ];

    static XDocument Write(Action<XmlWriter> write)
    {
        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(sb, UwsXml.Settings))
        {
            write(w);
        }
        var document = XDocument.Parse(sb.ToString());
        SharedSchemas.AssertValidUws(document);
        return document;
    }

    static JobEntity Job(ExecutionPhase phase, bool full) => new()
    {
        Id = "abc",
        OwnerId = full ? "alice" : "",
        RunId = full ? "run <1> & \"more\"" : null,
        Phase = phase,
        CreationTime = T0,
        Quote = full ? T0.AddMinutes(5) : null,
        StartTime = full ? T0.AddSeconds(1) : null,
        EndTime = full ? T0.AddSeconds(2) : null,
        ExecutionDuration = full ? 0 : 3600,
        Destruction = T0.AddDays(7),
        Parameters = full ? [new("image", "executionplanner/busybox:1"), new("cmd", "echo <&>"), new("cmd", "b")] : [],
        ErrorSummary = full ? "It failed: <details>" : null,
        ErrorDetail = full ? "trace" : null,
        ErrorIsTransient = full,
        ExitCode = full ? 137 : null,
    };

    static IEnumerable<TestCaseData> AllPhasesWithAndWithoutOptionals() =>
        Enum.GetValues<ExecutionPhase>().SelectMany(p => new[] { new TestCaseData(p, false), new TestCaseData(p, true) });

    [TestCaseSource(nameof(AllPhasesWithAndWithoutOptionals))]
    public void A_job_in_every_phase_is_valid_and_in_schema_order(ExecutionPhase phase, bool full)
    {
        var root = Write(w => UwsXml.WriteJob(w, Job(phase, full), full ? Files : [], JobUrl)).Root!;
        var names = root.Elements().Select(e => e.Name.LocalName).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(root.Name, Is.EqualTo(Uws + "job"));
            Assert.That(root.Attribute("version")?.Value, Is.EqualTo("1.1"));
            Assert.That(PhaseOf(root), Is.EqualTo(phase.ToString()));
            Assert.That(names, Is.EqualTo(full ? FullOrder : FullOrder.Except(["runId", "errorSummary", "jobInfo"])));
            Assert.That(root.Element(Uws + "creationTime")!.Value, Is.EqualTo("2026-01-31T12:00:00.123Z"));
            Assert.That(root.Element(Uws + "destruction")!.Value, Is.EqualTo("2026-02-07T12:00:00.123Z"));
        });
    }

    [Test]
    public void The_anonymous_owner_and_missing_times_are_nil()
    {
        var root = Write(w => UwsXml.WriteJob(w, Job(ExecutionPhase.PENDING, full: false), [], JobUrl)).Root!;
        foreach (var name in new[] { "ownerId", "quote", "startTime", "endTime" })
        {
            var element = root.Element(Uws + name)!;
            Assert.That(element.Attribute(Xsi + "nil")?.Value, Is.EqualTo("true"), name);
            Assert.That(element.Value, Is.Empty, name);
        }
        Assert.That(root.Element(Uws + "results")!.Elements(), Is.Empty);
        Assert.That(root.Element(Uws + "parameters")!.Elements(), Is.Empty);
    }

    [Test]
    public void A_full_job_carries_its_values_escaped_and_its_files_by_reference()
    {
        var root = Write(w => UwsXml.WriteJob(w, Job(ExecutionPhase.ERROR, full: true), Files, JobUrl)).Root!;
        var parameters = root.Element(Uws + "parameters")!.Elements(Uws + "parameter").ToList();
        var results = root.Element(Uws + "results")!.Elements(Uws + "result").ToList();
        var error = root.Element(Uws + "errorSummary")!;
        Assert.Multiple(() =>
        {
            Assert.That(root.Element(Uws + "ownerId")!.Value, Is.EqualTo("alice"));
            Assert.That(root.Element(Uws + "ownerId")!.Attribute(Xsi + "nil"), Is.Null);
            Assert.That(root.Element(Uws + "runId")!.Value, Is.EqualTo("run <1> & \"more\""));
            Assert.That(root.Element(Uws + "executionDuration")!.Value, Is.EqualTo("0"));
            Assert.That(parameters.Select(p => p.Attribute("id")!.Value), Is.EqualTo(new[] { "image", "cmd", "cmd", "data.csv" }));
            Assert.That(parameters[1].Value, Is.EqualTo("echo <&>"));
            Assert.That(parameters[3].Attribute("byReference")?.Value, Is.EqualTo("true"));
            Assert.That(parameters[3].Value, Is.EqualTo(JobUrl + "/parameters/data.csv"));
            Assert.That(results.Select(r => r.Attribute("id")!.Value), Is.EqualTo(new[] { "out.txt", "a b.fits" }));
            Assert.That(results[1].Attribute(Xlink + "href")!.Value, Is.EqualTo(JobUrl + "/results/a%20b.fits"));
            Assert.That(results[1].Attribute("size")!.Value, Is.EqualTo("123456789012"));
            Assert.That(results[1].Attribute("mime-type")!.Value, Is.EqualTo("application/fits"));
            Assert.That(error.Attribute("type")!.Value, Is.EqualTo("transient"));
            Assert.That(error.Attribute("hasDetail")!.Value, Is.EqualTo("true"));
            Assert.That(error.Element(Uws + "message")!.Value, Is.EqualTo("It failed: <details>"));
            Assert.That(root.Element(Uws + "jobInfo")!.Value, Is.EqualTo("137"));
        });
    }

    [Test]
    public void A_fatal_error_without_detail_says_so()
    {
        var job = Job(ExecutionPhase.ERROR, full: false);
        job.ErrorSummary = "no";
        var error = Write(w => UwsXml.WriteJob(w, job, [], JobUrl)).Root!.Element(Uws + "errorSummary")!;
        Assert.That(error.Attribute("type")!.Value, Is.EqualTo("fatal"));
        Assert.That(error.Attribute("hasDetail")!.Value, Is.EqualTo("false"));
    }

    [Test]
    public void An_empty_job_list_is_valid()
    {
        var root = Write(w =>
        {
            UwsXml.StartJobList(w);
            UwsXml.EndJobList(w);
        }).Root!;
        Assert.That(root.Name, Is.EqualTo(Uws + "jobs"));
        Assert.That(root.Attribute("version")?.Value, Is.EqualTo("1.1"));
        Assert.That(root.Elements(), Is.Empty);
    }

    [Test]
    public void A_job_list_of_three_is_valid_with_children_in_schema_order()
    {
        JobRef[] jobs =
        [
            new("j1", ExecutionPhase.PENDING, null, "", T0),
            new("j2", ExecutionPhase.COMPLETED, "r2", "bob", T0.AddSeconds(1)),
            new("j3", ExecutionPhase.ARCHIVED, "", "carol", T0.AddSeconds(2)),
        ];
        var root = Write(w =>
        {
            UwsXml.StartJobList(w);
            foreach (var job in jobs)
            {
                UwsXml.WriteJobRef(w, job, JobList);
            }
            UwsXml.EndJobList(w);
        }).Root!;
        var refs = root.Elements(Uws + "jobref").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(refs.Select(r => r.Attribute("id")!.Value), Is.EqualTo(new[] { "j1", "j2", "j3" }));
            Assert.That(refs.Select(r => r.Attribute(Xlink + "href")!.Value), Is.EqualTo(jobs.Select(j => $"{JobList}/{j.Id}")));
            Assert.That(refs[0].Elements().Select(e => e.Name.LocalName), Is.EqualTo(new[] { "phase", "ownerId", "creationTime" }));
            Assert.That(refs[1].Elements().Select(e => e.Name.LocalName), Is.EqualTo(new[] { "phase", "runId", "ownerId", "creationTime" }));
            Assert.That(refs[0].Element(Uws + "ownerId")!.Attribute(Xsi + "nil")?.Value, Is.EqualTo("true"));
            Assert.That(refs[1].Element(Uws + "ownerId")!.Value, Is.EqualTo("bob"));
            Assert.That(refs[2].Element(Uws + "runId")!.Value, Is.Empty);
            Assert.That(refs[2].Element(Uws + "creationTime")!.Value, Is.EqualTo("2026-01-31T12:00:02.123Z"));
        });
    }

    [Test]
    public void The_results_root_lists_only_results()
    {
        var root = Write(w => UwsXml.WriteResults(w, Files, JobUrl)).Root!;
        Assert.That(root.Name, Is.EqualTo(Uws + "results"));
        Assert.That(root.Elements(Uws + "result").Select(r => r.Attribute("id")!.Value), Is.EqualTo(new[] { "out.txt", "a b.fits" }));
        Assert.That(root.Elements(Uws + "result").Select(r => r.Attribute(Xlink + "type")?.Value), Is.All.EqualTo("simple"));
    }

    [Test]
    public void An_empty_results_root_is_valid() =>
        Assert.That(Write(w => UwsXml.WriteResults(w, [], JobUrl)).Root!.Elements(), Is.Empty);

    [Test]
    public void The_parameters_root_lists_values_then_uploads()
    {
        var root = Write(w => UwsXml.WriteParameters(w, Job(ExecutionPhase.PENDING, full: true), Files, JobUrl)).Root!;
        Assert.That(root.Name, Is.EqualTo(Uws + "parameters"));
        Assert.That(root.Elements(Uws + "parameter").Select(p => p.Attribute("byReference")?.Value),
            Is.EqualTo(new string?[] { null, null, null, "true" }));
    }

    [Test]
    public void An_empty_parameters_root_is_valid() =>
        Assert.That(Write(w => UwsXml.WriteParameters(w, Job(ExecutionPhase.PENDING, full: false), [], JobUrl)).Root!.Elements(), Is.Empty);
}
