using System.Diagnostics;
using System.Net;
using ExecutionPlanner.Tests.Support;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>
/// The README's docker-compose commands, for real: the images are built (from Debian packages and dotnet publish),
/// `docker-compose up -d` starts PostgreSQL and the server, a job runs to COMPLETED through the server's UWS
/// API on the host's engine, and `docker-compose down -v` leaves nothing of the stack behind.
/// </summary>
[Category("Docker")]
public sealed class ComposeStackTests
{
    ComposeDeployment? stack;

    [TearDown]
    public async Task RemoveStack()
    {
        if (stack is null)
        {
            return;
        }
        // Also after a failure or a timeout in the middle of the test: down is idempotent.
        await stack.ComposeAsync("down", "--volumes", "--remove-orphans", "--timeout", "20");
        // A job still running when the test failed is on the host's engine, outside the compose project.
        var jobs = await ComposeDeployment.DockerAsync("ps", "-aq", "--filter", $"label=org.executionplanner.instance={stack.Instance}");
        foreach (var id in jobs.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await ComposeDeployment.DockerAsync("rm", "-f", "-v", id);
        }
        await ComposeDeployment.DockerAsync("rmi", stack.ServerImage);
    }

    [Test]
    public async Task The_compose_stack_runs_a_job_to_COMPLETED_and_comes_down_without_leftovers()
    {
        stack = ComposeDeployment.Create();
        var build = await stack.BuildImagesAsync();
        Assert.That(build.ExitCode, Is.Zero, build.ToString);

        var up = await stack.ComposeAsync("up", "--detach");
        Assert.That(up.ExitCode, Is.Zero, up.ToString);
        try
        {
            // No redirects followed: the 303 to the new job is part of what is checked.
            using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false })
            {
                BaseAddress = stack.BaseAddress,
                Timeout = TimeSpan.FromSeconds(30),
            };
            await WaitUntilReadyAsync(client);

            var jobId = await client.CreateJobAsync(
                ("cmd", "sh"), ("cmd", "-c"), ("cmd", "echo ran-in-compose > /uws/results/hello.txt"), ("PHASE", "RUN"));
            var job = await client.WaitForEndAsync(jobId, TimeSpan.FromMinutes(3));
            Assert.That(UwsClient.PhaseOf(job), Is.EqualTo("COMPLETED"), job.ToString);
            var (status, body) = await client.GetTextAsync($"/jobs/{jobId}/results/hello.txt");
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body, Is.EqualTo("ran-in-compose\n"));
        }
        catch (AssertionException)
        {
            var logs = await stack.ComposeAsync("logs", "--no-color", "--tail", "80");
            TestContext.Out.WriteLine(logs.Output);
            throw;
        }

        var down = await stack.ComposeAsync("down", "--volumes", "--timeout", "20");
        Assert.That(down.ExitCode, Is.Zero, down.ToString);
        Assert.That(await stack.LeftoversAsync(), Is.Empty, "docker-compose down -v left these behind");
    }

    async Task WaitUntilReadyAsync(HttpClient client)
    {
        var watch = Stopwatch.StartNew();
        var last = "no answer yet";
        while (watch.Elapsed < TimeSpan.FromMinutes(3))
        {
            try
            {
                using var response = await client.GetAsync("/health/ready");
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // The server container is still starting (it waits for PostgreSQL's health check first).
                last = ex.Message;
            }
            await Task.Delay(500);
        }
        Assert.Fail($"{stack!.BaseAddress}health/ready did not answer 200 within 3 minutes; last: {last}");
    }
}
