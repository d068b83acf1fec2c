using System.Globalization;
using System.Net;

namespace ExecutionPlanner.Cli.Uws;

/// <summary>
/// A client of any UWS 1.1 service (REC-UWS-1.1-20161024): create, list with PHASE/AFTER/LAST, read with
/// blocking WAIT, change phase, delete, fetch results. Nothing here knows our server: only the standard.
/// </summary>
internal sealed class UwsService(ServiceHttp http)
{
    /// <summary>POST the parameters (a form, or multipart with files) to the job list; returns the new job's URL from the 303.</summary>
    public async Task<Uri> SubmitAsync(Uri jobList, IReadOnlyList<KeyValuePair<string, string>> parameters, IReadOnlyList<KeyValuePair<string, string>> files, bool run, CancellationToken ct)
    {
        var all = parameters.ToList();
        if (run)
        {
            all.Add(new("PHASE", "RUN"));
        }
        HttpContent content;
        if (files.Count == 0)
        {
            content = new FormUrlEncodedContent(all);
        }
        else
        {
            var multipart = new MultipartFormDataContent();
            foreach (var (name, value) in all)
            {
                multipart.Add(new StringContent(value), name);
            }
            foreach (var (name, path) in files)
            {
                if (!File.Exists(path))
                {
                    throw new CliException($"The file to upload as '{name}' does not exist: {path}", ExitCodes.Usage);
                }
                multipart.Add(new StreamContent(File.OpenRead(path)), name, Path.GetFileName(path));
            }
            content = multipart;
        }
        using var post = new HttpRequestMessage(HttpMethod.Post, jobList) { Content = content };
        var (response, body) = await http.SendForTextAsync(post, ct);
        using (response)
        {
            if (response.Headers.Location is { } location)
            {
                return new Uri(jobList, location);
            }
            // A service that answers the job document itself (200) instead of 303 still tells its id.
            if (response.StatusCode == HttpStatusCode.OK && body.Contains("jobId", StringComparison.Ordinal))
            {
                var job = UwsXml.ReadJob(body, jobList);
                return new Uri(Slash(jobList), Uri.EscapeDataString(job.JobId));
            }
            throw new CliException($"{jobList} answered {(int)response.StatusCode} without the new job's location (a UWS job list answers 303).");
        }
    }

    public async Task<IReadOnlyList<UwsJobRef>> ListAsync(Uri jobList, IReadOnlyList<string> phases, DateTimeOffset? after, int? last, CancellationToken ct)
    {
        var query = phases.Select(p => $"PHASE={Uri.EscapeDataString(p.ToUpperInvariant())}").ToList();
        if (after is { } a)
        {
            query.Add($"AFTER={Uri.EscapeDataString(a.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))}");
        }
        if (last is { } n)
        {
            query.Add($"LAST={n.ToString(CultureInfo.InvariantCulture)}");
        }
        var url = query.Count == 0 ? jobList : new UriBuilder(jobList) { Query = string.Join('&', query) }.Uri;
        using var get = new HttpRequestMessage(HttpMethod.Get, url);
        var (response, body) = await http.SendForTextAsync(get, ct);
        response.Dispose();
        return UwsXml.ReadJobList(body, jobList);
    }

    /// <summary>GET the job; with <paramref name="wait"/>, a UWS 1.1 blocking GET that returns when the phase leaves <paramref name="phase"/>.</summary>
    public async Task<UwsJob> GetAsync(Uri job, TimeSpan? wait, string? phase, CancellationToken ct)
    {
        var url = job;
        if (wait is { } w)
        {
            var query = $"WAIT={(int)Math.Max(1, w.TotalSeconds)}" + (phase is null ? "" : $"&PHASE={phase}");
            url = new UriBuilder(job) { Query = query }.Uri;
        }
        using var get = new HttpRequestMessage(HttpMethod.Get, url);
        var (response, body) = await http.SendForTextAsync(get, ct);
        response.Dispose();
        return UwsXml.ReadJob(body, job);
    }

    public Task RunAsync(Uri job, CancellationToken ct) => PostPhaseAsync(job, "RUN", ct);

    public Task AbortAsync(Uri job, CancellationToken ct) => PostPhaseAsync(job, "ABORT", ct);

    /// <summary>DELETE, or POST ACTION=DELETE for services that only take the form (UWS allows both).</summary>
    public async Task DeleteAsync(Uri job, CancellationToken ct)
    {
        using var delete = new HttpRequestMessage(HttpMethod.Delete, job);
        using var response = await http.SendAsync(delete, ct);
        if (response.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotImplemented)
        {
            using var post = new HttpRequestMessage(HttpMethod.Post, job) { Content = new FormUrlEncodedContent([new("ACTION", "DELETE")]) };
            var (again, _) = await http.SendForTextAsync(post, ct);
            again.Dispose();
            return;
        }
        if ((int)response.StatusCode >= 400)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            throw new CliException($"{job} answered {(int)response.StatusCode} ({response.StatusCode}){ServiceHttp.Why(response.StatusCode)}: {http.Tokens.Redact(ServiceHttp.Shorten(body))}");
        }
    }

    public async Task<IReadOnlyList<UwsResultRef>> ResultsAsync(Uri job, CancellationToken ct)
    {
        using var get = new HttpRequestMessage(HttpMethod.Get, new Uri(Slash(job), "results"));
        var (response, body) = await http.SendForTextAsync(get, ct);
        response.Dispose();
        return UwsXml.ReadResultList(body, job);
    }

    /// <summary>
    /// Streams one result into a file; returns its size. The token goes only to the job's own origin: a result
    /// stored elsewhere (or a redirect there) is fetched without it.
    /// </summary>
    public async Task<long> DownloadAsync(Uri job, Uri href, string path, CancellationToken ct, int redirects = 0)
    {
        using var get = new HttpRequestMessage(HttpMethod.Get, href);
        using var response = await http.SendAsync(get, ct, withToken: SameOrigin(job, href));
        if (response.Headers.Location is { } location && (int)response.StatusCode is >= 300 and < 400)
        {
            if (redirects >= 5)
            {
                throw new CliException($"{href}: more than 5 redirects.");
            }
            return await DownloadAsync(job, new Uri(href, location), path, ct, redirects + 1);
        }
        if ((int)response.StatusCode >= 400)
        {
            throw new CliException($"{href} answered {(int)response.StatusCode} ({response.StatusCode}){ServiceHttp.Why(response.StatusCode)}");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = File.Create(path);
        await response.Content.CopyToAsync(file, ct);
        return file.Length;
    }

    /// <summary>A small text result (stdout) to show, or null; the token only to the job's own origin.</summary>
    public async Task<string?> GetTextOrNullAsync(Uri job, Uri url, CancellationToken ct)
    {
        using var get = new HttpRequestMessage(HttpMethod.Get, url);
        using var response = await http.SendAsync(get, ct, withToken: SameOrigin(job, url));
        return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(ct) : null;
    }

    async Task PostPhaseAsync(Uri job, string phase, CancellationToken ct)
    {
        using var post = new HttpRequestMessage(HttpMethod.Post, new Uri(Slash(job), "phase"))
        {
            Content = new FormUrlEncodedContent([new("PHASE", phase)]),
        };
        var (response, _) = await http.SendForTextAsync(post, ct);
        response.Dispose();
    }

    static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    static Uri Slash(Uri url) => url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
}
