using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ExecutionPlanner.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static ExecutionPlanner.Tests.Support.UwsClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// Thousands of generated hostile requests (<see cref="HostileRequests"/>) over every endpoint, against
/// the real server on its own PostgreSQL database, for a bounded time (EP_FUZZ_SECONDS, default 60;
/// EP_FUZZ_SEED to replay a seed). It fails on any 5xx, on a server error log, and if jobs made before
/// the fuzzing (another owner's, the anonymous owner's, and rows holding characters XML cannot carry)
/// changed or stopped giving schema-valid documents. Execution is off: no container runs.
/// </summary>
[Category("PostgreSQL")]
[NonParallelizable] // It loads the machine on purpose; other fixtures' timing should not suffer from it.
public sealed partial class FuzzTests
{
    const int MaxUploadBytes = 64 * 1024;
    const int MaxRequests = 40_000;
    const int Workers = 4;

    PrivateDatabase database = null!;
    UwsTestServer server = null!;
    readonly CapturedLog errors = new(LogLevel.Error);

    [OneTimeSetUp]
    public async Task Start()
    {
        database = await PrivateDatabase.CreateAsync();
        server = await UwsTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:ExecutionPlanner"] = database.ConnectionString,
            ["Jobs:MaxUploadBytes"] = MaxUploadBytes.ToString(CultureInfo.InvariantCulture),
            ["Jobs:MaxWait"] = "1",
            ["Planner:PlatformCores"] = "64",
            ["Planner:PlatformMemory"] = "256Gi",
        }, services => services.AddSingleton<ILoggerProvider>(errors));
        // The first start on an empty database logs EF's failed look for its history table (README): not the fuzzing's.
        errors.Entries.Clear();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }

    [Test]
    public async Task Hostile_requests_get_no_5xx_and_leave_earlier_jobs_untouched_and_valid()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("EP_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 20261125;
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("EP_FUZZ_SECONDS"), CultureInfo.InvariantCulture, out var d) ? d : 60;
        TestContext.Out.WriteLine($"EP_FUZZ_SEED={seed} EP_FUZZ_SECONDS={seconds}");

        using var owner = server.NewOwner();
        using var anonymous = server.Anonymous();
        using var fuzzer = server.NewOwner();
        var earlier = await CreateEarlierJobsAsync(owner, anonymous);
        var before = await SnapshotAsync(earlier);
        var ownerListBefore = await ListIdsAsync(owner);

        var token = fuzzer.DefaultRequestHeaders.Authorization!.Parameter!;
        // Hostile requests aim at the other owner's jobs, which they must not reach. Not at the anonymous
        // owner's: anonymous hostile requests act as that owner and may rightly delete them.
        var pools = new HostileRequests.Pools { OwnToken = token, ForeignJobIds = earlier.Where(e => e.Client == owner).Select(e => e.Id).ToList() };
        var failures = new ConcurrentQueue<string>();
        var sent = 0;
        var statuses = new ConcurrentDictionary<int, int>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(seed + w);
            var requests = new HostileRequests(random, pools, MaxUploadBytes);
            using var client = RawClient();
            while (clock.Elapsed < TimeSpan.FromSeconds(seconds) && Interlocked.Increment(ref sent) <= MaxRequests && failures.Count < 20)
            {
                var request = requests.Next();
                await SendAsync(client, request, pools, failures, statuses);
                if (random.Next(20) == 0)
                {
                    await RoundTripAsync(client, requests, pools, token, failures);
                }
            }
        })));
        TestContext.Out.WriteLine($"{Math.Min(sent, MaxRequests)} requests in {clock.Elapsed.TotalSeconds:F0} s; statuses: " +
            string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}×{p.Value}")) +
            $"; {pools.JobIds.Count} jobs and {pools.OfferIds.Count} offers made by the fuzzer");

        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Empty, () => string.Join("\n\n", failures.Take(20)));
            Assert.That(errors.Entries, Is.Empty, () => string.Join("\n\n", errors.Entries.Take(10)));
            Assert.That(sent, Is.GreaterThan(1000), "Too few requests were sent for the fuzzing to mean anything.");
        });

        // Earlier jobs: the same documents, still valid; the lists still valid.
        var after = await SnapshotAsync(earlier);
        Assert.That(after, Is.EqualTo(before));
        Assert.That(await ListIdsAsync(owner), Is.EqualTo(ownerListBefore));
        await anonymous.GetUwsXmlAsync("/jobs");
        await fuzzer.GetUwsXmlAsync("/jobs");
        await fuzzer.GetUwsXmlAsync("/jobs?PHASE=PENDING&PHASE=HELD&PHASE=QUEUED&PHASE=ABORTED");
        // Whatever the fuzzer managed to store is served as valid documents.
        foreach (var id in pools.JobIds.Take(300))
        {
            foreach (var client in new[] { fuzzer, anonymous })
            {
                using var response = await client.GetAsync($"/jobs/{id}");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    SharedSchemas.AssertValidUws(XDocument.Parse(await response.Content.ReadAsStringAsync()));
                    await client.GetUwsXmlAsync($"/jobs/{id}/parameters");
                    await client.GetUwsXmlAsync($"/jobs/{id}/results");
                }
                else
                {
                    Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
                }
            }
        }
    }

    HttpClient RawClient() =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            // Send non-ASCII header values as UTF-8 bytes instead of refusing them in the client.
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        })
        { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    static async Task SendAsync(HttpClient client, HostileRequest request, HostileRequests.Pools pools, ConcurrentQueue<string> failures,
        ConcurrentDictionary<int, int> statuses)
    {
        using var message = request.Message;
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(message);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or UriFormatException or ArgumentException)
        {
            return; // The client refused to send it; nothing reached the server.
        }
        catch (HttpRequestException) when (request.BodyMayBeCut)
        {
            return; // The server answered 413 (or 414 to an overlong request line) and closed before reading the rest.
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            failures.Enqueue($"{request.Description}\n=> {ex.GetType().Name}: {ex.Message}");
            return;
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            var body = await ReadAsync(response);
            if (status >= 500)
            {
                failures.Enqueue($"{request.Description}\n=> {status}: {body[..Math.Min(body.Length, 500)]}");
                return;
            }
            Remember(response, body, pools);
        }
    }

    static async Task<string> ReadAsync(HttpResponseMessage response)
    {
        try
        {
            return await response.Content.ReadAsStringAsync();
        }
        catch (HttpRequestException ex)
        {
            return $"(body not read: {ex.Message})";
        }
    }

    /// <summary>Jobs, offer sets and offers the fuzzer made, so later requests can aim at them.</summary>
    static void Remember(HttpResponseMessage response, string body, HostileRequests.Pools pools)
    {
        if (response.StatusCode == HttpStatusCode.SeeOther && response.Headers.Location is { } location
            && JobLocation().Match(location.AbsolutePath) is { Success: true } job)
        {
            HostileRequests.Pools.Add(pools.JobIds, job.Groups[1].Value);
        }
        if (response.StatusCode == HttpStatusCode.OK && response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            foreach (Match m in PlannerLink().Matches(body))
            {
                HostileRequests.Pools.Add(m.Groups[1].Value == "offers" ? pools.OfferIds : pools.OfferSetIds, m.Groups[2].Value);
            }
            foreach (Match m in JobLink().Matches(body))
            {
                HostileRequests.Pools.Add(pools.JobIds, m.Groups[1].Value);
            }
        }
    }

    /// <summary>
    /// A creation with legal but awkward values (any character XML can carry) must be stored and served
    /// exactly: in the job document, the list, and the plain-text parameter.
    /// </summary>
    static async Task RoundTripAsync(HttpClient client, HostileRequests requests, HostileRequests.Pools pools, string token, ConcurrentQueue<string> failures)
    {
        var cmd = Enumerable.Range(0, 3).Select(_ => Legal(requests.Value())).Where(v => v.Length <= 1000).ToList();
        var runId = Legal(requests.Value());
        runId = runId[..Math.Min(runId.Length, 200)];
        var form = new List<KeyValuePair<string, string>> { new("image", Image), new("RUNID", runId) };
        form.AddRange(cmd.Select(c => KeyValuePair.Create("cmd", c)));
        using var create = new HttpRequestMessage(HttpMethod.Post, "/jobs") { Content = new FormUrlEncodedContent(form) };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var created = await client.SendAsync(create);
        var what = $"round trip of RUNID {Escape(runId)} cmd [{string.Join(", ", cmd.Select(Escape))}]";
        if (created.StatusCode != HttpStatusCode.SeeOther)
        {
            failures.Enqueue($"{what}\n=> {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
            return;
        }
        var id = created.Headers.Location!.Segments[^1];
        using var get = new HttpRequestMessage(HttpMethod.Get, $"/jobs/{id}");
        get.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(get);
        // Whitespace-only values (a cmd of "\n") are text like any other: keep them when parsing.
        var job = XDocument.Parse(await response.Content.ReadAsStringAsync(), LoadOptions.PreserveWhitespace).Root!;
        var shownCmd = job.Descendants(Uws + "parameter").Where(p => p.Attribute("id")?.Value == "cmd").Select(p => p.Value).ToList();
        var shownRunId = job.Element(Uws + "runId")?.Value;
        using var text = new HttpRequestMessage(HttpMethod.Get, $"/jobs/{id}/parameters/cmd");
        text.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var cmdText = await client.SendAsync(text);
        // Decoded by hand: ReadAsStringAsync would drop a leading U+FEFF as a byte order mark.
        var servedCmd = cmdText.StatusCode == HttpStatusCode.OK ? Encoding.UTF8.GetString(await cmdText.Content.ReadAsByteArrayAsync()) : null;
        if (shownRunId != runId || !shownCmd.SequenceEqual(cmd) || (cmd.Count > 0 && servedCmd != string.Join('\n', cmd)))
        {
            failures.Enqueue($"{what}\n=> shown as RUNID {Escape(shownRunId ?? "(none)")} cmd [{string.Join(", ", shownCmd.Select(Escape))}], " +
                $"served as {Escape(servedCmd ?? "(none)")}");
        }
        // Only now may hostile requests aim at it: until here nothing else knew its id.
        HostileRequests.Pools.Add(pools.JobIds, id);
    }

    /// <summary>Drops the characters the service refuses, keeping every other awkward one.</summary>
    static string Legal(string value) => new(value.Where((c, i) =>
        c is '\t' or '\n' or '\r' or >= ' ' and < '\uD800' or > '\uDFFF' and < '\uFFFE').ToArray());

    static string Escape(string value) =>
        string.Concat(value.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:X4}" : c.ToString()));

    /// <summary>Jobs that exist before the fuzzing, with known contents: the owner's, the anonymous owner's, and rows holding characters XML cannot carry.</summary>
    async Task<List<(string Id, HttpClient Client)>> CreateEarlierJobsAsync(HttpClient owner, HttpClient anonymous)
    {
        var jobs = new List<(string, HttpClient)>
        {
            (await owner.CreateJobAsync(("cmd", "sh"), ("cmd", "-c"), ("cmd", "echo 'a\tb' <&> \"\u00e9\" \U0001F600\r\n"), ("RUNID", "earlier <one>"),
                ("env", "GREETING=hello world"), ("memory", "64Mi"), ("cores", "0.5"), ("EXECUTIONDURATION", "120"), ("DESTRUCTION", "2099-01-01")), owner),
            (await owner.CreateJobAsync(("cmd", "true"), ("PHASE", "RUN")), owner),
            (await anonymous.CreateJobAsync(("cmd", "anonymous"), ("RUNID", "anon")), anonymous),
        };
        using (var content = new MultipartFormDataContent
               {
                   { new StringContent(Image), "image" }, { new StringContent("cat"), "cmd" },
                   { new ByteArrayContent([0, 1, 2, 255, 0x1b]), "in.bin", "in.bin" },
               })
        using (var response = await owner.PostAsync("/jobs", content))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
            jobs.Add((response.Headers.Location!.Segments[^1], owner));
        }
        var ownerName = await OwnerIdAsync(owner, jobs[0].Item1);
        foreach (var (ownerId, client) in new[] { (string.Empty, anonymous), (ownerName, owner) })
        {
            var id = JobRows.NewId();
            await JobRows.ExecuteOnAsync(database.ConnectionString, """
                INSERT INTO jobs (id, owner_id, run_id, phase, phase_changed_at, creation_time, execution_duration, destruction, parameters, error_summary, error_detail)
                VALUES ($1, $2, $3, 'ERROR', now(), now(), 60, now() + interval '1 day', $4::jsonb, $5, $6)
                """, id, ownerId, "stored\u0001\u001b[31m\uFFFF",
                """[{"Name":"image","Value":"executionplanner/busybox:1"},{"Name":"cmd","Value":"a\u0007b"}]""", "failed \u001b[0m", "detail \u0002");
            await JobRows.ExecuteOnAsync(database.ConnectionString,
                "INSERT INTO job_files (job_id, kind, name, mime_type, size, content) VALUES ($1, 'Result', $2, $3, 1, '\\x41')", id, "r\u0001.txt", "text/\u00e9");
            jobs.Add((id, client));
        }
        return jobs;
    }

    static async Task<string> OwnerIdAsync(HttpClient client, string jobId) => (await client.GetTextAsync($"/jobs/{jobId}/owner")).Body;

    /// <summary>Every document and value of the earlier jobs, each validated against UWS.xsd where it is XML.</summary>
    static async Task<List<string>> SnapshotAsync(List<(string Id, HttpClient Client)> jobs)
    {
        var snapshot = new List<string>();
        foreach (var (id, client) in jobs)
        {
            snapshot.Add((await client.GetUwsXmlAsync($"/jobs/{id}")).ToString());
            snapshot.Add((await client.GetUwsXmlAsync($"/jobs/{id}/parameters")).ToString());
            snapshot.Add((await client.GetUwsXmlAsync($"/jobs/{id}/results")).ToString());
            foreach (var path in new[] { "/phase", "/parameters/cmd", "/parameters/in.bin", "/error", "/destruction" })
            {
                using var response = await client.GetAsync($"/jobs/{id}{path}");
                snapshot.Add($"{path} {(int)response.StatusCode} {Convert.ToHexString(await response.Content.ReadAsByteArrayAsync())}");
            }
        }
        return snapshot;
    }

    static async Task<List<string>> ListIdsAsync(HttpClient client) =>
        (await client.GetUwsXmlAsync("/jobs")).Root!.Elements(Uws + "jobref").Select(j => j.Attribute("id")!.Value).ToList();

    [GeneratedRegex("^/jobs/([a-z0-9]+)$")]
    private static partial Regex JobLocation();

    [GeneratedRegex("/planner/(offers|offersets)/([A-Za-z0-9]+)")]
    private static partial Regex PlannerLink();

    [GeneratedRegex("/jobs/([a-z0-9]{16})\"")]
    private static partial Regex JobLink();
}
