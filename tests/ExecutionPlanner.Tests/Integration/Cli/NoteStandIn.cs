using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ExecutionPlanner.Tests.Integration.Cli;

/// <summary>
/// A small planner that answers in the 2021 ExecutionPlanner Note's shape (IVOA-EP-note.tex: <c>reponseword</c>
/// YES with <c>servicetype</c>, <c>serviceinfo.endpoint</c> and <c>resources</c>), pointing at a real job list of
/// ours, plus the ways a service goes wrong that a client must survive: an HTML page, and an answer that never comes.
/// It also answers in the Calycopis prototype's flow (303 to an offer set of sessions), until our own server
/// speaks it. Every request body it got is kept, so tests can check what the client sent.
/// </summary>
public sealed class NoteStandIn : IAsyncDisposable
{
    readonly WebApplication app;
    readonly TaskCompletionSource slowAsked = new(TaskCreationOptions.RunContinuationsAsynchronously);

    NoteStandIn(WebApplication app) => this.app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The Note's YES: POST here with a tasktype/taskinfo request.</summary>
    public Uri Accepts => new(BaseAddress, "/accepts");

    /// <summary>A Note service that can't run docker containers: NO with a reason in reponseinfo.</summary>
    public Uri Refuses => new(BaseAddress, "/refuses");

    /// <summary>200 with an HTML page: a misconfigured proxy, say.</summary>
    public Uri Garbage => new(BaseAddress, "/garbage");

    /// <summary>Never answers (until the client gives up).</summary>
    public Uri Slow => new(BaseAddress, "/slow");

    public ConcurrentQueue<JsonObject> Requests { get; } = new();

    /// <summary>A planner in the Calycopis prototype's flow: POST here, 303 to the offer set.</summary>
    public Uri CalycopisRequests => new(BaseAddress, "/requests");

    /// <summary>The update messages POSTed to the Calycopis session (accept or reject).</summary>
    public ConcurrentQueue<JsonObject> SessionUpdates { get; } = new();

    /// <summary>Completes when a request reached <see cref="Slow"/>: the client is then in the middle of planning.</summary>
    public Task SlowAsked => slowAsked.Task;

    public static async Task<NoteStandIn> StartAsync(Uri jobList)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new NoteStandIn(app);
        app.MapPost("/accepts", async (HttpRequest request) =>
        {
            var body = await standIn.KeepAsync(request);
            var isDocker = body?["tasktype"]?.GetValue<string>() == "uri://docker-container";
            return Results.Text(isDocker
                ? new JsonObject
                {
                    ["reponseword"] = "YES",
                    ["servicetype"] = "uri://docker-uws",
                    ["serviceinfo"] = new JsonObject { ["endpoint"] = jobList.AbsoluteUri },
                    // The Note's negotiation of resources and times (section "Execution time").
                    ["resources"] = new JsonObject
                    {
                        ["mincores"] = 1, ["maxcores"] = 2, ["minmemory"] = "1G", ["maxmemory"] = "8G",
                        ["minstartup"] = "60s", ["maxstartup"] = "120s", ["minduration"] = "5m", ["maxduration"] = "10m",
                    },
                }.ToJsonString()
                : """{"reponseword": "NO"}""", "application/json");
        });
        app.MapPost("/refuses", async (HttpRequest request) =>
        {
            await standIn.KeepAsync(request);
            return Results.Text("""{"reponseword": "NO", "reponseinfo": {"reasons": [{"httpcode": 403, "text": "Not authorised"}]}}""", "application/json");
        });
        // The Calycopis prototype's flow (Calycopis-openapi schema/v1.0): POST /requests answers 303 to the offer
        // set, whose offers are sessions updated with update messages. Kept here until our server speaks it.
        app.MapPost("/requests", async (HttpRequest request) =>
        {
            await standIn.KeepAsync(request);
            return Results.Redirect("/offersets/set-1", permanent: false, preserveMethod: false);
        });
        app.MapGet("/offersets/set-1", () => Results.Text(new JsonObject
        {
            ["meta"] = new JsonObject { ["uuid"] = "set-1", ["url"] = new Uri(standIn.BaseAddress, "/offersets/set-1").AbsoluteUri },
            ["result"] = "YES",
            ["offers"] = new JsonArray(new JsonObject
            {
                ["kind"] = "https://www.purl.org/ivoa.net/Calycopis-openapi/schema/v1.0/kinds/session/scheduled-execution-session.yaml",
                ["meta"] = new JsonObject { ["uuid"] = "sess-1", ["url"] = "/sessions/sess-1" },
                ["phase"] = "OFFERED",
                ["expires"] = TimeProvider.System.GetUtcNow().AddMinutes(5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                ["compute"] = new JsonObject { ["cores"] = new JsonObject { ["min"] = 3, ["max"] = 3 }, ["memory"] = new JsonObject { ["min"] = 6, ["max"] = 6 } },
                ["schedule"] = new JsonObject
                {
                    ["available"] = new JsonObject
                    {
                        ["start"] = TimeProvider.System.GetUtcNow().AddMinutes(10).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) + "/PT5M",
                        ["duration"] = "PT1H",
                    },
                },
            }),
        }.ToJsonString(), "application/json"));
        app.MapPost("/sessions/sess-1", async (HttpRequest request) =>
        {
            var update = await JsonNode.ParseAsync(request.Body) as JsonObject;
            if (update is not null)
            {
                standIn.SessionUpdates.Enqueue(update);
            }
            return Results.Text(new JsonObject { ["meta"] = new JsonObject { ["uuid"] = "sess-1" }, ["phase"] = update?["value"]?.GetValue<string>() }.ToJsonString(), "application/json");
        });
        // A finished UWS job whose results are one on its own origin and one on another (localhost instead of
        // 127.0.0.1): which requests carried a token is recorded per path.
        app.MapGet("/uws/job/results", () => Results.Text($"""
            <uws:results xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0" xmlns:xlink="http://www.w3.org/1999/xlink">
              <uws:result id="here.txt" xlink:href="{new Uri(standIn.BaseAddress, "/uws/job/results/here.txt")}"/>
              <uws:result id="elsewhere.txt" xlink:href="http://localhost:{standIn.BaseAddress.Port}/store/elsewhere.txt"/>
            </uws:results>
            """, "text/xml"));
        app.MapGet("/uws/job/results/here.txt", (HttpRequest request) => standIn.Serve(request, "here"));
        app.MapGet("/store/elsewhere.txt", (HttpRequest request) => standIn.Serve(request, "elsewhere"));
        app.MapPost("/garbage", () => Results.Text("<html><body><h1>Welcome to nginx!</h1></body></html>", "text/html"));
        app.MapPost("/slow", async (HttpContext context) =>
        {
            standIn.slowAsked.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        await app.StartAsync();
        standIn.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return standIn;
    }

    /// <summary>For each result path, whether its request carried an Authorization header.</summary>
    public ConcurrentDictionary<string, bool> ResultAuthorization { get; } = new();

    /// <summary>A UWS job of this stand-in, for the result-fetching rules.</summary>
    public Uri UwsJob => new(BaseAddress, "/uws/job");

    IResult Serve(HttpRequest request, string name)
    {
        ResultAuthorization[name] = request.Headers.Authorization.Count > 0;
        return Results.Text(name + "\n", "text/plain");
    }

    async Task<JsonObject?> KeepAsync(HttpRequest request)
    {
        var body = await JsonNode.ParseAsync(request.Body) as JsonObject;
        if (body is not null)
        {
            Requests.Enqueue(body);
        }
        return body;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
