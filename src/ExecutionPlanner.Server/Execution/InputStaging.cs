using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Persistence;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Fetches a job's inputs given by reference (input=&lt;name&gt;=&lt;URL&gt;, and the planner's data
/// resources) so that they are copied to /uws/inputs/&lt;name&gt; with the uploads before the container
/// starts. The server fetches, never the container; only from the hosts the operator allows
/// (Jobs:AllowedInputHosts, none by default), without following redirects (a redirect could lead to a
/// host that is not allowed), at most Jobs:MaxInputFetchBytes each, within Jobs:InputFetchTimeout.
/// </summary>
public sealed class InputStaging(IHttpClientFactory clients, IOptionsMonitor<InputFetchOptions> options, TimeProvider clock)
{
    public const string ClientName = "input-staging";

    /// <summary>The fetched inputs; <see cref="InputStagingException"/> names the input that failed and why.</summary>
    public async Task<List<JobFileEntity>> FetchAsync(string jobId, IReadOnlyList<JobParameter> parameters, CancellationToken ct)
    {
        var references = JobParameterContract.InputReferences(parameters);
        var fetched = new List<JobFileEntity>(references.Count);
        var o = options.CurrentValue;
        foreach (var (name, url) in references)
        {
            if (!o.Allows(url))
            {
                throw new InputStagingException(name, url, $"the host '{url.Authority}' is not one the operator allows (Jobs:AllowedInputHosts)");
            }
            using var timeout = new CancellationTokenSource(o.InputFetchTimeout, clock);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            try
            {
                fetched.Add(await FetchOneAsync(jobId, name, url, o.MaxInputFetchBytes, linked.Token));
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new InputStagingException(name, url, $"it took longer than {o.InputFetchTimeout.TotalSeconds:0} s (Jobs:InputFetchTimeout)");
            }
            catch (HttpRequestException ex)
            {
                throw new InputStagingException(name, url, ex.Message);
            }
        }
        return fetched;
    }

    async Task<JobFileEntity> FetchOneAsync(string jobId, string name, Uri url, long maxBytes, CancellationToken ct)
    {
        using var client = clients.CreateClient(ClientName);
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InputStagingException(name, url, $"the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            throw new InputStagingException(name, url, $"it is {response.Content.Headers.ContentLength} bytes, more than {maxBytes} (Jobs:MaxInputFetchBytes)");
        }
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var content = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            if (content.Length + read > maxBytes)
            {
                throw new InputStagingException(name, url, $"it is more than {maxBytes} bytes (Jobs:MaxInputFetchBytes)");
            }
            content.Write(buffer, 0, read);
        }
        return new JobFileEntity
        {
            JobId = jobId,
            Kind = JobFileKind.Input,
            Name = name,
            MimeType = response.Content.Headers.ContentType?.MediaType ?? "application/octet-stream",
            Size = content.Length,
            Content = content.ToArray(),
        };
    }

    /// <summary>The named client: no redirects, no cookies, no proxy from the environment.</summary>
    public static void Configure(IServiceCollection services) =>
        services.AddHttpClient(ClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false })
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan);
}

/// <summary>An input given by reference could not be fetched: the job ends ERROR with this message.</summary>
public sealed class InputStagingException(string name, Uri url, string why)
    : Exception($"The input '{name}' could not be fetched from {url}: {why}.");
