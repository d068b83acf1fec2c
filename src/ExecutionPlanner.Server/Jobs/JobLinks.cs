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

    public static string Result(string jobUrl, string name) => $"{jobUrl}/results/{Uri.EscapeDataString(name)}";

    public static string Input(string jobUrl, string name) => $"{jobUrl}/parameters/{Uri.EscapeDataString(name)}";
}
