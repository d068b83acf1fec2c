namespace ExecutionPlanner.Cli.Planning;

/// <summary>One planner to ask: the URL the task is POSTed to, and the form it reads.</summary>
internal sealed record PlannerService(Uri Url, RequestForm Form)
{
    /// <summary>
    /// A service root (no path) means our planner's route below it; any other URL is POSTed to as given,
    /// so a Calycopis <c>/requests</c> or a Note <c>/accepts</c> works when named.
    /// </summary>
    public static PlannerService Parse(string text, RequestForm form = RequestForm.ExecutionBroker)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliException($"'{text}' is not an http(s) URL of a planner.", ExitCodes.Usage);
        }
        if (url.AbsolutePath is "" or "/")
        {
            url = new Uri(url, "/planner/offersets");
        }
        return new PlannerService(url, form);
    }

    /// <summary>How the service is named in tables: host:port and path, without the scheme.</summary>
    public string Name => Url.IsDefaultPort ? $"{Url.Host}{Url.AbsolutePath}" : $"{Url.Host}:{Url.Port}{Url.AbsolutePath}";
}
