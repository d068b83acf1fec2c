namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// An operator's list of hosts the server may contact on a client's behalf (inputs to fetch, callbacks to call):
/// "host", "host:port", or "*.example.org" for its subdomains. Only http and https.
/// </summary>
public static class AllowedHosts
{
    public static bool Allows(IEnumerable<string> allowedHosts, Uri url)
    {
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
        {
            return false;
        }
        var host = url.IdnHost;
        var hostPort = $"{host}:{url.Port}";
        foreach (var allowed in allowedHosts)
        {
            var a = allowed.Trim();
            if (a.Equals(host, StringComparison.OrdinalIgnoreCase) || a.Equals(hostPort, StringComparison.OrdinalIgnoreCase)
                || (a.StartsWith("*.", StringComparison.Ordinal) && host.EndsWith(a[1..], StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }
        return false;
    }
}
