using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Jobs.Callbacks;

/// <summary>
/// Callbacks (keys in the "Jobs" section): where a job's callback parameter may point, how deliveries are signed
/// and retried, and the base URL of the links in the documents sent. Nothing is allowed by default.
/// </summary>
public sealed class CallbackOptions
{
    public const string Section = "Jobs";

    public const int DefaultCallbackAttempts = 3;
    public static readonly TimeSpan DefaultCallbackRetryDelay = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan DefaultCallbackTimeout = TimeSpan.FromSeconds(10);
    public const int MinSigningKeyLength = 16;

    /// <summary>Hosts ("host", "host:port", "*.example.org") a callback may go to; empty: callbacks are refused (400).</summary>
    public List<string> AllowedCallbackHosts { get; set; } = [];

    /// <summary>The HMAC-SHA256 key of X-EP-Signature (UTF-8). Required when callbacks are allowed; never logged.</summary>
    public string? CallbackSigningKey { get; set; }

    /// <summary>Tries per delivery (the first included).</summary>
    public int CallbackAttempts { get; set; } = DefaultCallbackAttempts;

    /// <summary>Wait before the second try; doubled before each later one.</summary>
    public TimeSpan CallbackRetryDelay { get; set; } = DefaultCallbackRetryDelay;

    /// <summary>How long one try may take (connect, send, answer).</summary>
    public TimeSpan CallbackTimeout { get; set; } = DefaultCallbackTimeout;

    /// <summary>
    /// This service's URL as clients reach it (e.g. https://uws.example.org), for the links in callback documents
    /// (sent off any request, so there is no request to take them from). Default: http://localhost:&lt;port&gt;.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    public bool Allows(Uri url) => AllowedHosts.Allows(AllowedCallbackHosts, url);
}

sealed class CallbackOptionsValidator : IValidateOptions<CallbackOptions>
{
    public ValidateOptionsResult Validate(string? name, CallbackOptions o)
    {
        var errors = new List<string>();
        if (o.AllowedCallbackHosts.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("Jobs:AllowedCallbackHosts must not hold empty entries.");
        }
        // The message never holds the key itself.
        if (o.AllowedCallbackHosts.Count > 0 && (o.CallbackSigningKey?.Length ?? 0) < CallbackOptions.MinSigningKeyLength)
        {
            errors.Add($"Jobs:CallbackSigningKey must be set (at least {CallbackOptions.MinSigningKeyLength} characters) when Jobs:AllowedCallbackHosts allows callbacks.");
        }
        if (o.CallbackAttempts is < 1 or > 20)
        {
            errors.Add("Jobs:CallbackAttempts must be between 1 and 20.");
        }
        if (o.CallbackRetryDelay < TimeSpan.FromMilliseconds(10) || o.CallbackTimeout < TimeSpan.FromMilliseconds(100))
        {
            errors.Add("Jobs:CallbackRetryDelay must be at least 10 ms and Jobs:CallbackTimeout at least 100 ms.");
        }
        if (o.PublicBaseUrl is { } b && (!Uri.TryCreate(b, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https")))
        {
            errors.Add($"Jobs:PublicBaseUrl '{b}' must be an absolute http or https URL.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
