using System.Runtime.CompilerServices;
using DotNet.Testcontainers.Configurations;

namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// Testcontainers' settings for this machine, applied when the test assembly loads, before any Testcontainers
/// type reads them (several are static readonly fields read from the environment once):
/// <list type="bullet">
/// <item>API version 1.41: Testcontainers pins 1.44 by default, which dockerd 20.10 (Debian 12) refuses with a
/// misleading "Docker is either not running or misconfigured". An engine that needs another version is
/// chosen by setting DOCKER_API_VERSION before the run.</item>
/// <item>No Ryuk: its image would have to be pulled (there is no registry here) and it publishes a port, which
/// dockerd --bridge=none does not map. Clean-up is by label instead (<see cref="TestcontainersCleanUp"/>).</item>
/// <item>Host 127.0.0.1: this machine has /.dockerenv, so Testcontainers would take the host from the
/// container network's gateway, which is empty without a bridge.</item>
/// <item>The engine of the other tests: EP_DOCKER_ENDPOINT, when set, becomes DOCKER_HOST.</item>
/// </list>
/// </summary>
internal static class TestcontainersSettingsInitializer
{
    [ModuleInitializer]
    internal static void Apply()
    {
        SetUnlessSet("DOCKER_API_VERSION", "1.41");
        SetUnlessSet("TESTCONTAINERS_RYUK_DISABLED", "true");
        SetUnlessSet("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1");
        if (Environment.GetEnvironmentVariable("EP_DOCKER_ENDPOINT") is { Length: > 0 } endpoint)
        {
            SetUnlessSet("DOCKER_HOST", endpoint);
        }
        TestcontainersSettings.ResourceReaperEnabled = false;
        TestcontainersSettings.DockerHostOverride = Environment.GetEnvironmentVariable("TESTCONTAINERS_HOST_OVERRIDE");
    }

    private static void SetUnlessSet(string name, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
