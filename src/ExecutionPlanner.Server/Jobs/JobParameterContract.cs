using ExecutionPlanner.Server.Http;
using System.Globalization;
using System.Text.RegularExpressions;
using ExecutionPlanner.Server.Persistence;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// The simple-docker-uws parameter contract (design §4, schemas/job-parameters.schema.json): image
/// (required, allowed by the operator's policy), cmd (repeatable, in order), env (repeatable,
/// NAME=value), cores and memory (within the operator's maxima), and uploaded files, which become
/// /uws/inputs/&lt;name&gt; in the container; or, instead of an upload, input (repeatable,
/// &lt;name&gt;=&lt;http(s) URL&gt;): the server fetches it there before the container starts
/// (Execution/InputStaging.cs). Names are case-insensitive.
/// </summary>
public static partial class JobParameterContract
{
    public const string Image = "image";
    public const string Cmd = "cmd";
    public const string Env = "env";
    public const string Cores = "cores";
    public const string Memory = "memory";
    public const string Input = "input";

    public static readonly IReadOnlyList<string> Names = [Image, Cmd, Env, Cores, Memory, Input, Callbacks.CallbackParameter.Name];

    /// <summary>Smallest memory limit the Docker engine accepts (6 MB), rounded up.</summary>
    public const long MinMemoryBytes = 8L * 1024 * 1024;

    /// <summary>Normalises names to lower case; 400 for a name the contract does not know.</summary>
    public static List<JobParameter> Normalise(IEnumerable<KeyValuePair<string, string>> pairs) =>
        pairs.Select(p =>
        {
            var name = p.Key.ToLowerInvariant();
            return Names.Contains(name)
                ? new JobParameter(name, p.Value)
                : throw UwsRequestException.BadRequest(
                    $"Unknown parameter '{p.Key}'. This service takes {string.Join(", ", Names)} (and uploaded files), " +
                    "plus the UWS controls PHASE, RUNID, EXECUTIONDURATION and DESTRUCTION.");
        }).ToList();

    /// <summary>Checks a whole parameter set; 400 with the first problem found.</summary>
    public static JobSpec Validate(IReadOnlyList<JobParameter> parameters, IEnumerable<string> inputNames, JobsOptions options)
    {
        var images = parameters.Where(p => p.Name == Image).Select(p => p.Value.Trim()).ToList();
        if (images.Count != 1)
        {
            throw UwsRequestException.BadRequest(images.Count == 0
                ? "The parameter 'image' is required: the container image to run."
                : "The parameter 'image' must be given once.");
        }
        var image = images[0];
        if (!ImagePolicy.IsWellFormed(image))
        {
            throw UwsRequestException.BadRequest($"'{image}' is not a Docker image reference.");
        }
        if (!ImagePolicy.For(options).Allows(image))
        {
            throw UwsRequestException.BadRequest(
                $"The image '{image}' is not allowed here; allowed: {string.Join(", ", options.EffectiveAllowedImages)}.");
        }
        var env = parameters.Where(p => p.Name == Env).Select(p => ParseEnv(p.Value)).ToList();
        var cores = Optional(parameters, Cores, v => ParseCores(v, options.MaxCores));
        var memory = Optional(parameters, Memory, v => ParseMemory(v, options.MaxMemoryBytes));
        var uploaded = inputNames.ToList();
        foreach (var name in uploaded)
        {
            CheckInputName(name);
        }
        foreach (var (name, _) in InputReferences(parameters))
        {
            if (uploaded.Contains(name))
            {
                throw UwsRequestException.BadRequest($"The input '{name}' is both uploaded and given by reference.");
            }
        }
        return new JobSpec(image, parameters.Where(p => p.Name == Cmd).Select(p => p.Value).ToList(), env, cores, memory);
    }

    /// <summary>The inputs given by reference (input=&lt;name&gt;=&lt;http(s) URL&gt;); 400 for one that is not.</summary>
    public static List<(string Name, Uri Url)> InputReferences(IReadOnlyList<JobParameter> parameters)
    {
        var inputs = new List<(string Name, Uri Url)>();
        foreach (var p in parameters.Where(p => p.Name == Input))
        {
            var eq = p.Value.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? p.Value[..eq].Trim() : string.Empty;
            if (eq <= 0 || !Uri.TryCreate(p.Value[(eq + 1)..].Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                throw UwsRequestException.BadRequest($"input '{p.Value}' must be <name>=<http or https URL>, such as input=table.vot=https://example.org/table.vot.");
            }
            CheckInputName(name);
            if (inputs.Any(i => i.Name == name))
            {
                throw UwsRequestException.BadRequest($"The input '{name}' is given twice.");
            }
            inputs.Add((name, url));
        }
        return inputs;
    }

    /// <summary>An uploaded file's name becomes /uws/inputs/&lt;name&gt;: a plain file name, no paths.</summary>
    public static void CheckInputName(string name)
    {
        if (!InputName().IsMatch(name))
        {
            throw UwsRequestException.BadRequest(
                $"Uploaded file field '{name}' is not a usable file name: use 1-128 of A-Z a-z 0-9 . _ - , not starting with '.'.");
        }
        if (Names.Contains(name.ToLowerInvariant()))
        {
            throw UwsRequestException.BadRequest($"'{name}' is a parameter of this service, not a file name.");
        }
    }

    static T? Optional<T>(IReadOnlyList<JobParameter> parameters, string name, Func<string, T> parse) where T : struct
    {
        var values = parameters.Where(p => p.Name == name).ToList();
        return values.Count switch
        {
            0 => null,
            1 => parse(values[0].Value.Trim()),
            _ => throw UwsRequestException.BadRequest($"The parameter '{name}' must be given at most once."),
        };
    }

    static KeyValuePair<string, string> ParseEnv(string value)
    {
        var eq = value.IndexOf('=', StringComparison.Ordinal);
        var name = eq > 0 ? value[..eq] : string.Empty;
        return EnvName().IsMatch(name)
            ? KeyValuePair.Create(name, value[(eq + 1)..])
            : throw UwsRequestException.BadRequest($"env '{value}' must have the form NAME=value, NAME matching [A-Za-z_][A-Za-z0-9_]*.");
    }

    static decimal ParseCores(string value, decimal max)
    {
        if (!decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var cores) || cores <= 0)
        {
            throw UwsRequestException.BadRequest($"cores '{value}' must be a positive decimal number such as 0.5 or 2.");
        }
        if (cores > max)
        {
            throw UwsRequestException.BadRequest($"cores {value} is above this service's maximum of {max}.");
        }
        // The engine counts in billionths of a core; keep what it can apply.
        return decimal.Round(cores, 3, MidpointRounding.ToZero) is var rounded && rounded > 0
            ? rounded
            : throw UwsRequestException.BadRequest($"cores '{value}' is below 0.001.");
    }

    static long ParseMemory(string value, long max)
    {
        if (!MemoryQuantity.TryParse(value, out var bytes))
        {
            throw UwsRequestException.BadRequest($"memory '{value}' must be a size such as 512Mi or 2Gi.");
        }
        if (bytes < MinMemoryBytes)
        {
            throw UwsRequestException.BadRequest($"memory '{value}' is below the minimum of 8Mi.");
        }
        return bytes <= max
            ? bytes
            : throw UwsRequestException.BadRequest($"memory '{value}' is above this service's maximum of {MemoryQuantity.Format(max)}.");
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex EnvName();

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex InputName();
}
