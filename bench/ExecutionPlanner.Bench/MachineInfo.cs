using System.Runtime;
using Npgsql;

namespace ExecutionPlanner.Bench;

/// <summary>What the figures were measured on.</summary>
public static class MachineInfo
{
    public static bool IsServerGc => GCSettings.IsServerGC;

    public static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "?" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }

    public static string Memory()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return line is null ? "?" : line["MemTotal:".Length..].Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }

    public static string Where(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return b.Host is { } h && h.StartsWith('/') ? $"unix socket {h}" : $"{b.Host}:{b.Port}";
    }
}
