using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// Data fetched by the server into a job's inputs (configuration section "Jobs", beside
/// <see cref="JobsOptions"/>): only from the hosts the operator lists, so that no client can make the
/// server reach into its own network (server-side request forgery). Nothing is allowed by default.
/// </summary>
public sealed class InputFetchOptions
{
    public const string Section = "Jobs";

    public const long DefaultMaxInputFetchBytes = 256L * 1024 * 1024;
    public static readonly TimeSpan DefaultInputFetchTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Host names (or host:port) the server may fetch inputs from; "*.example.org" allows its subdomains.</summary>
    public List<string> AllowedInputHosts { get; set; } = [];

    /// <summary>Largest input the server fetches, in bytes.</summary>
    public long MaxInputFetchBytes { get; set; } = DefaultMaxInputFetchBytes;

    /// <summary>How long one fetch may take.</summary>
    public TimeSpan InputFetchTimeout { get; set; } = DefaultInputFetchTimeout;

    /// <summary>Whether the server may fetch <paramref name="url"/>: http(s), and a host the operator allows.</summary>
    public bool Allows(Uri url) => AllowedHosts.Allows(AllowedInputHosts, url);
}

sealed class InputFetchOptionsValidator : IValidateOptions<InputFetchOptions>
{
    public ValidateOptionsResult Validate(string? name, InputFetchOptions o)
    {
        var errors = new List<string>();
        if (o.MaxInputFetchBytes < 1)
        {
            errors.Add("Jobs:MaxInputFetchBytes must be at least 1 byte.");
        }
        if (o.InputFetchTimeout <= TimeSpan.Zero)
        {
            errors.Add("Jobs:InputFetchTimeout must be positive.");
        }
        if (o.AllowedInputHosts.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("Jobs:AllowedInputHosts must not hold empty entries.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
