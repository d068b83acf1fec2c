using ExecutionPlanner.Server.Http;
using System.Text.Json;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Persistence;
using ExecutionPlanner.Server.Planner;

namespace ExecutionPlanner.Tests.Unit;

/// <summary>Reading requests of every dialect into one task, without a server: kinds, units, shapes and refusals.</summary>
[Parallelizable(ParallelScope.Children)]
public sealed class PlannerRequestReadingTests
{
    static TaskRequest Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return OfferSetRequestReader.Read(document.RootElement);
    }

    [TestCase("uri://docker-container", "docker-container")]
    [TestCase("uri:docker-container-0.1", "docker-container")]
    [TestCase("https://www.purl.org/ivoa.net/EB/schema/types/executables/docker-container-1.0.yaml", "docker-container")]
    [TestCase("https://www.purl.org/ivoa.net/Calycopis-openapi/schema/v1.0/kinds/data/S3-data-resource.yaml", "s3-data-resource")]
    [TestCase("https://www.purl.org/ivoa.net/EB/schema/types/computer/simple-compute-resource-1.0", "simple-compute-resource")]
    public void A_kind_is_known_by_its_last_name_without_version_or_extension(string kind, string name) =>
        Assert.That(ResourceKinds.Name(kind), Is.EqualTo(name));

    [TestCase("2", 2L << 30)]
    [TestCase("\"32G\"", 32_000_000_000L)]
    [TestCase("\"512Mi\"", 512L << 20)]
    [TestCase("\"1.5GiB\"", 3L << 29)]
    [TestCase("\"2048MB\"", 2_048_000_000L)]
    [TestCase("\"4\"", 4L << 30)]
    public void Memory_is_gib_as_a_number_and_carries_its_unit_as_a_string(string memory, long bytes)
    {
        var task = Read("""{"executable": {"kind": "uri://docker-container", "image": "x"}, "compute": {"memory": {"min": """ + memory + "}}}");
        Assert.That(task.MemoryBytes!.Value.Min, Is.EqualTo(bytes));
    }

    [TestCase("\"60s\"", 60)]
    [TestCase("\"5m\"", 300)]
    [TestCase("\"4h\"", 14400)]
    [TestCase("\"1d\"", 86400)]
    [TestCase("\"PT1H30M\"", 5400)]
    [TestCase("90", 90)]
    public void The_notes_times_are_read_in_its_words_and_in_iso_8601(string duration, int seconds)
    {
        var task = Read("""{"tasktype": "uri://docker-container", "taskinfo": {"image": "x"}, "resources": {"minduration": """ + duration + ", \"maxstartup\": " + duration + "}}");
        Assert.That(task.Duration, Is.EqualTo(TimeSpan.FromSeconds(seconds)));
        Assert.That(task.StartWithin, Is.EqualTo(TimeSpan.FromSeconds(seconds)));
        Assert.That(task.Note2021, Is.True);
        Assert.That(task.Paths.Duration, Is.EqualTo("/resources/minduration"));
    }

    [Test]
    public void The_2023_form_nests_resources_in_lists_and_names_components_by_type_and_name()
    {
        var task = Read("""
            {"request": {"executable": {"type": "https://www.purl.org/ivoa.net/EB/schema/types/executables/docker-container-1.0", "name": "e", "image": "x"},
                         "resources": {"compute": [{"type": "https://www.purl.org/ivoa.net/EB/schema/types/resources/compute/simple-compute-resource-1.0",
                                                    "cores": {"min": 2, "max": 3}}],
                                       "storage": [{"size": {"min": 1, "max": 2}}, {"size": {"min": 1}}]}}}
            """);
        Assert.That(task.Kind, Does.EndWith("docker-container-1.0"));
        Assert.That(task.Name, Is.EqualTo("e"));
        Assert.That(task.Cores, Is.EqualTo(new Range<decimal>(2, 3)));
        Assert.That(task.StorageBytes, Is.EqualTo(new Range<long>(2L << 30, 2L << 30)), "storage sizes are summed");
        Assert.That(task.Paths.Kind, Is.EqualTo("/request/executable/type"));
        Assert.That(task.Paths.CoresMin, Is.EqualTo("/request/resources/compute/0/cores/min"));
        Assert.That(task.Refusals, Is.Empty);
    }

    [Test]
    public void What_the_service_never_does_is_read_as_refusals_not_errors()
    {
        var task = Read("""
            {"executable": {"kind": "uri://docker-container", "image": {"locations": ["x"], "platform": {"os": "windows"}},
                            "privileged": true, "entrypoint": "/bin/sh", "network": {"ports": [{"internal": {"port": 80}}]}},
             "compute": [{"cores": 1}, {"cores": 1}],
             "data": [{"kind": "uri:rucio-data-resource", "name": "r", "rucio": {"scope": "s"}}, "s3://bucket/key", "https://example.org/a.fits"]}
            """);
        Assert.That(task.Refusals.Select(r => r.Path), Is.EquivalentTo(new[]
        {
            "/executable/privileged", "/executable/entrypoint", "/executable/image/platform/os", "/compute/1", "/data/0/kind", "/data/1",
        }));
        Assert.That(task.NetworkPortsPath, Is.EqualTo("/executable/network/ports"));
        Assert.That(task.Inputs.Single(), Is.EqualTo(new DataInput("a.fits", "https://example.org/a.fits", "/data/2")));
    }

    [TestCase("""{"executable": {"kind": "uri://docker-container", "image": "x"}, "compute": {"cores": {"min": 1e400}}}""", "/compute/cores/min")]
    [TestCase("""{"executable": {"kind": "uri://docker-container", "image": "x"}, "compute": {"memory": {"min": "12 parsecs"}}}""", "/compute/memory/min")]
    [TestCase("""{"executable": {"kind": "uri://docker-container", "image": "x"}, "schedule": {"requested": {"start": "9999-12-31T00:00:00Z/P10D"}}}""", "/schedule/requested/start")]
    [TestCase("""{"executable": {"kind": "uri://docker-container", "image": "x"}, "schedule": {"requested": {"duration": "5 fortnights"}}}""", "/schedule/requested/duration")]
    [TestCase("""{"executable": {"kind": "uri://docker-container", "image": "x"}, "data": ["not a url"]}""", "/data/0")]
    [TestCase("""["not", "an", "object"]""", "object")]
    public void A_value_of_the_wrong_shape_is_a_400_naming_it(string json, string named)
    {
        var ex = Assert.Throws<UwsRequestException>(() => Read(json));
        Assert.That(ex!.StatusCode, Is.EqualTo(400));
        Assert.That(ex.Message, Does.Contain(named));
    }

    [Test]
    public void Inputs_by_reference_are_name_equals_http_url_and_nothing_else()
    {
        var inputs = JobParameterContract.InputReferences([new JobParameter("input", "cat.csv=https://example.org/cat.csv")]);
        Assert.That(inputs.Single(), Is.EqualTo(("cat.csv", new Uri("https://example.org/cat.csv"))));
        Assert.Throws<UwsRequestException>(() => JobParameterContract.InputReferences([new JobParameter("input", "cat.csv=file:///etc/passwd")]));
        Assert.Throws<UwsRequestException>(() => JobParameterContract.InputReferences([new JobParameter("input", "../x=https://example.org/x")]));
        Assert.Throws<UwsRequestException>(() => JobParameterContract.InputReferences(
            [new JobParameter("input", "a=https://example.org/1"), new JobParameter("input", "a=https://example.org/2")]));
    }

    [TestCase("data.example.org", "https://data.example.org/x", true)]
    [TestCase("data.example.org", "https://data.example.org.evil.net/x", false)]
    [TestCase("*.example.org", "https://a.example.org/x", true)]
    [TestCase("*.example.org", "https://example.org.evil.net/x", false)]
    [TestCase("127.0.0.1:8080", "http://127.0.0.1:8080/x", true)]
    [TestCase("127.0.0.1:8080", "http://127.0.0.1:9090/x", false)]
    public void Only_the_hosts_the_operator_lists_may_be_fetched(string allowed, string url, bool allows) =>
        Assert.That(new InputFetchOptions { AllowedInputHosts = [allowed] }.Allows(new Uri(url)), Is.EqualTo(allows));

    [Test]
    public void Nothing_may_be_fetched_by_default() =>
        Assert.That(new InputFetchOptions().Allows(new Uri("https://example.org/x")), Is.False);
}
