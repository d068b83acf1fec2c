namespace ExecutionPlanner.Server.Jobs;

/// <summary>
/// Absolute URLs of the UWS resources, as seen by the client (old clients need absolute Locations).
/// Behind a reverse proxy, enable forwarded headers so scheme and host are the public ones.
/// </summary>
public static class JobLinks
{
    public const string JobListPath = "/jobs";

    public static string JobList(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}{JobListPath}";

    public static string Job(HttpRequest request, string jobId) => $"{JobList(request)}/{jobId}";

    public static string Job(string jobListUrl, string jobId) => $"{jobListUrl}/{jobId}";

    /// <summary>A result may sit in a subfolder of /uws/results: each path segment is escaped, the slashes kept.</summary>
    public static string Result(string jobUrl, string name) =>
        $"{jobUrl}/results/{string.Join('/', name.Split('/').Select(Uri.EscapeDataString))}";

    public static string Input(string jobUrl, string name) => $"{jobUrl}/parameters/{Uri.EscapeDataString(name)}";
}
