using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Persistence;

namespace ExecutionPlanner.Tests.Unit;

[Parallelizable(ParallelScope.Children)]
public sealed class JobParameterContractTests
{
    const string Image = "executionplanner/busybox:1";

    static readonly JobsOptions Options = new();

    static JobSpec Validate(params (string Name, string Value)[] parameters) =>
        JobParameterContract.Validate(parameters.Select(p => new JobParameter(p.Name, p.Value)).ToList(), [], Options);

    static UwsRequestException Refused(TestDelegate action)
    {
        var ex = Assert.Throws<UwsRequestException>(action)!;
        Assert.That(ex.StatusCode, Is.EqualTo(400));
        Assert.That(ex.Message, Is.Not.Empty);
        return ex;
    }

    [Test]
    public void A_minimal_job_is_just_an_image()
    {
        var spec = Validate(("image", Image));
        Assert.Multiple(() =>
        {
            Assert.That(spec.Image, Is.EqualTo(Image));
            Assert.That(spec.Cmd, Is.Empty);
            Assert.That(spec.Env, Is.Empty);
            Assert.That(spec.Cores, Is.Null);
            Assert.That(spec.MemoryBytes, Is.Null);
        });
    }

    [Test]
    public void The_image_is_required() =>
        Assert.That(Refused(() => Validate(("cmd", "echo"))).Message, Does.Contain("'image' is required"));

    [Test]
    public void The_image_may_be_given_only_once() =>
        Assert.That(Refused(() => Validate(("image", Image), ("image", Image))).Message, Does.Contain("once"));

    [Test]
    public void A_disallowed_image_is_refused_with_its_name_and_the_allowed_patterns()
    {
        var message = Refused(() => Validate(("image", "ubuntu:24.04"))).Message;
        Assert.That(message, Does.Contain("ubuntu:24.04").And.Contain("executionplanner/*"));
    }

    [Test]
    public void A_malformed_image_reference_is_refused() =>
        Assert.That(Refused(() => Validate(("image", "Not An Image"))).Message, Does.Contain("not a Docker image reference"));

    [Test]
    public void The_image_is_trimmed() => Assert.That(Validate(("image", "  " + Image + " ")).Image, Is.EqualTo(Image));

    [Test]
    public void Cmd_keeps_its_order_and_env_splits_at_the_first_equals_sign()
    {
        var spec = Validate(("image", Image), ("cmd", "sh"), ("env", "A=1"), ("cmd", "-c"), ("env", "_B=x=y"), ("env", "EMPTY="), ("cmd", "echo $A"));
        Assert.That(spec.Cmd, Is.EqualTo(new[] { "sh", "-c", "echo $A" }));
        Assert.That(spec.Env, Is.EqualTo(new[] { KeyValuePair.Create("A", "1"), KeyValuePair.Create("_B", "x=y"), KeyValuePair.Create("EMPTY", "") }));
    }

    [TestCase("NOEQUALS")]
    [TestCase("=value")]
    [TestCase("1A=x")]
    [TestCase("A-B=x")]
    [TestCase("A B=x")]
    [TestCase("A\n=x")]
    [TestCase("")]
    public void Env_must_be_NAME_equals_value(string env) =>
        Assert.That(Refused(() => Validate(("image", Image), ("env", env))).Message, Does.Contain("NAME=value"));

    [TestCase("1", 1)]
    [TestCase("0.5", 0.5)]
    [TestCase("4", 4)]
    [TestCase("0.001", 0.001)]
    [TestCase("1.23456", 1.234)]
    [TestCase(" 2 ", 2)]
    public void Cores_are_a_positive_decimal_up_to_the_maximum(string cores, decimal expected) =>
        Assert.That(Validate(("image", Image), ("cores", cores)).Cores, Is.EqualTo(expected));

    [TestCase("0")]
    [TestCase("-1")]
    [TestCase("4.01")]
    [TestCase("100")]
    [TestCase("abc")]
    [TestCase("1,5")]
    [TestCase("0.0001")]
    [TestCase("1e2")]
    [TestCase("")]
    public void Cores_outside_the_bounds_or_not_decimal_are_refused(string cores) =>
        Assert.That(Refused(() => Validate(("image", Image), ("cores", cores))).Message, Does.Contain("cores"));

    [Test]
    public void Cores_may_be_given_at_most_once() =>
        Assert.That(Refused(() => Validate(("image", Image), ("cores", "1"), ("cores", "1"))).Message, Does.Contain("at most once"));

    [TestCase("8Mi", 8L * 1024 * 1024)]
    [TestCase("512Mi", 512L * 1024 * 1024)]
    [TestCase("8Gi", 8L * 1024 * 1024 * 1024)]
    [TestCase("1.5G", 1_500_000_000L)]
    public void Memory_is_a_size_between_the_minimum_and_the_maximum(string memory, long expected) =>
        Assert.That(Validate(("image", Image), ("memory", memory)).MemoryBytes, Is.EqualTo(expected));

    [TestCase("4Mi", "below the minimum")]
    [TestCase("9Gi", "above this service's maximum of 8Gi")]
    [TestCase("lots", "512Mi")]
    [TestCase("0", "512Mi")]
    public void Memory_outside_the_bounds_is_refused(string memory, string expected) =>
        Assert.That(Refused(() => Validate(("image", Image), ("memory", memory))).Message, Does.Contain(expected));

    [Test]
    public void Limits_follow_the_operator_options()
    {
        var options = new JobsOptions { MaxCores = 0.5m, MaxMemory = "64Mi", AllowedImages = ["other/*"] };
        List<JobParameter> parameters = [new("image", "other/x:1"), new("cores", "0.5"), new("memory", "64Mi")];
        Assert.That(JobParameterContract.Validate(parameters, [], options).Cores, Is.EqualTo(0.5m));
        Refused(() => JobParameterContract.Validate([new("image", "other/x:1"), new("cores", "0.6")], [], options));
        Refused(() => JobParameterContract.Validate([new("image", "other/x:1"), new("memory", "65Mi")], [], options));
        Refused(() => JobParameterContract.Validate([new("image", Image)], [], options));
    }

    [Test]
    public void Normalise_lower_cases_known_names_and_keeps_order()
    {
        var normalised = JobParameterContract.Normalise([KeyValuePair.Create("CMD", "a"), KeyValuePair.Create("Image", "i"), KeyValuePair.Create("cmd", "b")]);
        Assert.That(normalised, Is.EqualTo(new[] { new JobParameter("cmd", "a"), new JobParameter("image", "i"), new JobParameter("cmd", "b") }));
    }

    [Test]
    public void An_unknown_name_is_refused_with_a_message_naming_it_and_the_known_ones()
    {
        var message = Refused(() => JobParameterContract.Normalise([KeyValuePair.Create("imgae", Image)])).Message;
        Assert.That(message, Does.Contain("'imgae'").And.Contain("image, cmd, env, cores, memory"));
    }

    [TestCase("data.csv")]
    [TestCase("a")]
    [TestCase("input_1-final.tar.gz")]
    [TestCase("-dash")]
    public void Input_file_names_are_plain_file_names(string name)
    {
        Assert.That(() => JobParameterContract.CheckInputName(name), Throws.Nothing);
        Assert.That(JobParameterContract.Validate([new("image", Image)], [name], Options).Image, Is.EqualTo(Image));
    }

    [TestCase("..")]
    [TestCase("../etc/passwd")]
    [TestCase("a/b")]
    [TestCase(".hidden")]
    [TestCase("a b")]
    [TestCase("")]
    [TestCase("data.csv\n")]
    [TestCase("dätä.csv")]
    [TestCase("image")]
    [TestCase("CMD")]
    public void Input_file_names_with_paths_or_odd_characters_or_parameter_names_are_refused(string name) =>
        Refused(() => JobParameterContract.Validate([new("image", Image)], [name], Options));

    [Test]
    public void An_input_file_name_of_129_characters_is_refused()
    {
        Assert.That(() => JobParameterContract.CheckInputName(new string('a', 128)), Throws.Nothing);
        Refused(() => JobParameterContract.CheckInputName(new string('a', 129)));
    }
}
