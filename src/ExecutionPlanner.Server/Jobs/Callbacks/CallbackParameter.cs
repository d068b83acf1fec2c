using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Persistence;

namespace ExecutionPlanner.Server.Jobs.Callbacks;

/// <summary>
/// The job parameter callback=&lt;http(s) URL&gt;: where the job's document is POSTed on every phase change. At most
/// once, and only to a host the operator allows (Jobs:AllowedCallbackHosts); anything else is refused with 400.
/// </summary>
public static class CallbackParameter
{
    public const string Name = "callback";
    public const int MaxLength = 2048;

    public static void Check(IReadOnlyList<JobParameter> parameters, CallbackOptions options)
    {
        var values = parameters.Where(p => p.Name == Name).ToList();
        if (values.Count == 0)
        {
            return;
        }
        if (values.Count > 1)
        {
            throw UwsRequestException.BadRequest("The parameter 'callback' must be given at most once.");
        }
        var value = values[0].Value.Trim();
        if (value.Length > MaxLength || !Uri.TryCreate(value, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw UwsRequestException.BadRequest($"callback '{DisplayText.Clean(value, 200)}' must be an absolute http or https URL.");
        }
        if (options.AllowedCallbackHosts.Count == 0)
        {
            throw UwsRequestException.BadRequest("This service sends no callbacks (the operator allows no callback hosts).");
        }
        if (!options.Allows(url))
        {
            throw UwsRequestException.BadRequest(
                $"callback host '{url.Authority}' is not allowed here; allowed: {string.Join(", ", options.AllowedCallbackHosts)}.");
        }
    }
}
