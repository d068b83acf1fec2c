using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ExecutionPlanner.Tests.Support;
using Npgsql;

namespace ExecutionPlanner.Tests.Integration.Cli;

/// <summary>
/// Three real instances of our server on loopback, each with its own database and token, and the 2021 Note
/// stand-in, as a user of `ep` would meet them:
/// - <b>busy</b>: 2 cores, all booked for 30 minutes by an accepted offer (its earliest offer is ~30 min away);
/// - <b>small</b>: 1 core and 1 GiB, runs jobs on the real engine (the one that can start now);
/// - <b>strict</b>: its image policy admits only trusted.example/* (it says NO, naming the image);
/// - <b>note</b>: answers in the 2021 Note's shape, pointing at small's job list, with up to 2 cores and 8 GiB after 60 s.
/// A config file maps each server's URL to its token, as a user would keep it.
/// </summary>
public sealed class CliFederation : IAsyncDisposable
{
    public const string Image = UwsClient.Image;

    CliFederation()
    {
    }

    public UwsTestServer Busy { get; private set; } = null!;

    public UwsTestServer Small { get; private set; } = null!;

    public UwsTestServer Strict { get; private set; } = null!;

    public NoteStandIn Note { get; private set; } = null!;

    public string Folder { get; } = Directory.CreateTempSubdirectory("ep-cli-").FullName;

    /// <summary>busy, small, strict (ExecutionBroker requests) and the stand-in (the Note's request form).</summary>
    public string ServicesFile => Path.Combine(Folder, "services.txt");

    /// <summary>The environment `ep` runs with: the config file with everyone's tokens, and nothing else.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["EP_CONFIG"] = Path.Combine(Folder, "config.json") };

    public static string TokenOf(string server, string who = "user") => $"cli-{server}-{who}-token";

    public static string OwnerOf(string server, string who = "user") => $"cli-{server}-{who}";

    public static async Task<CliFederation> StartAsync()
    {
        var f = new CliFederation();
        await ExecutionServer.RequireDockerAsync();
        f.Busy = await UwsTestServer.StartAsync(Settings("busy", await TestDatabase.CreatePrivateAsync(), new()
        {
            ["Planner:PlatformCores"] = "2",
            ["Planner:PlatformMemory"] = "4Gi",
        }));
        f.Small = await ExecutionServer.StartAsync(Settings("small", null, new()
        {
            ["Planner:PlatformCores"] = "1",
            ["Planner:PlatformMemory"] = "1Gi",
        }));
        f.Strict = await UwsTestServer.StartAsync(Settings("strict", await TestDatabase.CreatePrivateAsync(), new()
        {
            ["Jobs:AllowedImages:0"] = "trusted.example/*",
        }));
        f.Note = await NoteStandIn.StartAsync(new Uri(f.Small.BaseAddress, "/jobs"));
        await f.LoadBusyAsync();
        await File.WriteAllTextAsync(Path.Combine(f.Folder, "config.json"), new JsonObject
        {
            ["tokens"] = new JsonObject
            {
                [f.Busy.BaseAddress.AbsoluteUri] = TokenOf("busy"),
                [f.Small.BaseAddress.AbsoluteUri] = TokenOf("small"),
                [f.Strict.BaseAddress.AbsoluteUri] = TokenOf("strict"),
            },
        }.ToJsonString());
        await File.WriteAllLinesAsync(f.ServicesFile,
        [
            "# three of ours and a 2021 Note planner",
            f.Busy.BaseAddress.AbsoluteUri,
            f.Small.BaseAddress.AbsoluteUri,
            f.Strict.BaseAddress.AbsoluteUri,
            $"{f.Note.Accepts} note",
        ]);
        return f;
    }

    /// <summary>A client of one server as one of its users (the default "user", or another for isolation).</summary>
    public static HttpClient Client(UwsTestServer server, string name, string who = "user")
    {
        var client = server.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenOf(name, who));
        return client;
    }

    /// <summary>The arguments of a task that writes out.txt and prints a line, asking 1-2 cores and 0.25-0.5 GiB for 2 minutes.</summary>
    public static string[] Task(string script = "echo planned > /uws/results/out.txt; echo hello from the job") =>
        ["--image", Image, "--cmd", "sh", "--cmd=-c", "--cmd", script, "--cores", "1-2", "--memory", "0.25-0.5", "--duration", "PT2M"];

    /// <summary>Phases of offers as the server stores them (the truth, whatever the client printed).</summary>
    public static async Task<List<(string Id, string Phase)>> OffersAsync(UwsTestServer server, string owner)
    {
        await using var db = new NpgsqlConnection(server.ConnectionString);
        await db.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT id, phase FROM offers WHERE owner_id = @owner ORDER BY created", db);
        query.Parameters.AddWithValue("owner", owner);
        await using var reader = await query.ExecuteReaderAsync();
        var offers = new List<(string, string)>();
        while (await reader.ReadAsync())
        {
            offers.Add((reader.GetString(0), reader.GetString(1)));
        }
        return offers;
    }

    /// <summary>Books all of busy's cores for 30 minutes, as other users' work would.</summary>
    async Task LoadBusyAsync()
    {
        using var other = Client(Busy, "busy", "other");
        var set = await other.AskAsync(PlannerClient.DockerTask(coresMin: 2, coresMax: 2, memoryMin: 1, memoryMax: 1, duration: "PT30M"));
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("YES"), set.ToJsonString());
        await other.AcceptAsync(PlannerClient.Href(PlannerClient.Offers(set)[0]));
    }

    static Dictionary<string, string?> Settings(string name, string? database, Dictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?>(extra)
        {
            ["Auth:AllowAnonymous"] = "false",
            ["Planner:MaxOffers"] = "1",
        };
        if (database is not null)
        {
            settings["ConnectionStrings:ExecutionPlanner"] = database;
        }
        foreach (var who in new[] { "user", "other", "cancel", "uws" })
        {
            settings[$"Auth:Tokens:{TokenOf(name, who)}"] = OwnerOf(name, who);
        }
        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in new IAsyncDisposable?[] { Note, Busy, Small, Strict })
        {
            if (d is not null)
            {
                await d.DisposeAsync();
            }
        }
        Directory.Delete(Folder, recursive: true);
    }
}
