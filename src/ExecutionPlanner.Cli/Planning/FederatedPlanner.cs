using System.Net;
using System.Net.Mime;
using System.Text;
using ExecutionPlanner.Cli.Tasks;

namespace ExecutionPlanner.Cli.Planning;

/// <summary>
/// Asks every planner at once, each bounded by its own timeout, so the whole question takes as long as the
/// slowest planner that answers in time. Whatever goes wrong with one service becomes that service's
/// failed answer; only the user's Ctrl-C stops the lot.
/// </summary>
internal sealed class FederatedPlanner(ServiceHttp http, TimeProvider clock)
{
    /// <summary>The answers in the order the services were given; <paramref name="answered"/> is called as each arrives.</summary>
    public async Task<IReadOnlyList<PlannerAnswer>> AskAllAsync(IReadOnlyList<PlannerService> services, TaskSpec task, TimeSpan timeout, Action<PlannerAnswer>? answered, CancellationToken ct)
    {
        var eb = PlannerRequests.ExecutionBroker(task).ToJsonString();
        var note = PlannerRequests.Note2021(task).ToJsonString();
        var asks = services.Select(async s =>
        {
            var answer = await AskAsync(s, s.Form == RequestForm.Note2021 ? note : eb, timeout, ct);
            answered?.Invoke(answer);
            return answer;
        });
        var answers = await Task.WhenAll(asks);
        // Answers that came in the grace after a Ctrl-C were held (answered) so they can be rejected; the ask is still cancelled.
        ct.ThrowIfCancellationRequested();
        return answers;
    }

    /// <summary>
    /// After Ctrl-C, a request already sent may have booked an offer whose answer is on its way: it is awaited this
    /// long, so that the offer can be rejected rather than left holding the planner's capacity.
    /// </summary>
    static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(3);

    async Task<PlannerAnswer> AskAsync(PlannerService service, string body, TimeSpan timeout, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        using var limit = new CancellationTokenSource(timeout, clock);
        using var onCtrlC = ct.Register(() => limit.CancelAfter(CancelGrace));
        PlannerAnswer answer;
        try
        {
            answer = await PostAsync(service, body, limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            answer = PlannerAnswer.Failure(service, $"no answer within {Quantities.Short(timeout)} (--timeout)");
        }
        catch (CliException ex)
        {
            // The message starts with the URL, which the table already shows in its own column.
            var text = ex.Message.StartsWith(ServiceHttp.Origin(service.Url), StringComparison.Ordinal)
                ? ex.Message[(ServiceHttp.Origin(service.Url).Length + 2)..]
                : ex.Message;
            answer = PlannerAnswer.Failure(service, text);
        }
        return answer with { Elapsed = clock.GetElapsedTime(started) };
    }

    async Task<PlannerAnswer> PostAsync(PlannerService service, string body, CancellationToken ct)
    {
        using var post = new HttpRequestMessage(HttpMethod.Post, service.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, MediaTypeNames.Application.Json),
        };
        post.Headers.Accept.ParseAdd("application/json");
        var response = await http.SendAsync(post, ct);
        // Calycopis answers POST /requests with 303 to the offer set: read it with a GET (token kept).
        if (response.StatusCode is HttpStatusCode.SeeOther or HttpStatusCode.Found && response.Headers.Location is { } location)
        {
            response.Dispose();
            using var get = new HttpRequestMessage(HttpMethod.Get, new Uri(service.Url, location));
            get.Headers.Accept.ParseAdd("application/json");
            response = await http.SendAsync(get, ct);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            var status = (int)response.StatusCode;
            if (status >= 400)
            {
                var why = response.StatusCode switch
                {
                    HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed => ", no planner at this URL (name the planner's own URL, or the service root for ours)",
                    _ => ServiceHttp.Why(response.StatusCode),
                };
                return PlannerAnswer.Failure(service, $"answered {status} ({response.StatusCode}){why}: {http.Tokens.Redact(ServiceHttp.Shorten(text))}");
            }
            if (status >= 300)
            {
                return PlannerAnswer.Failure(service, $"answered {status} without a readable offer set");
            }
            return PlannerAnswerReader.Read(service, text, clock.GetUtcNow());
        }
    }
}
