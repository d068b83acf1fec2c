using System.Globalization;

namespace ExecutionPlanner.Bench;

/// <summary>
/// CPU time spent on the machine while something ran, in total and split by process: this process (server and
/// bench client), PostgreSQL, dockerd, containerd and its shims. Read from /proc (clock ticks of 10 ms); a
/// process's reaped children count with it (PostgreSQL's backends with the postmaster), so exited shims and
/// runc count under whoever reaped them and always under the total.
/// </summary>
public sealed class CpuMeter
{
    const double TickSeconds = 0.01;
    static readonly string[] Groups = ["self", "postgres", "dockerd", "containerd"];

    public sealed record Sample(double BusySeconds, IReadOnlyDictionary<string, double> ByGroup);

    public static Sample Take()
    {
        var byGroup = Groups.ToDictionary(g => g, _ => 0.0, StringComparer.Ordinal);
        var self = Environment.ProcessId;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // gone meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            var comm = stat[(open + 1)..close];
            var group = pid == self ? "self"
                : comm.StartsWith("postgres", StringComparison.Ordinal) ? "postgres"
                : comm == "dockerd" ? "dockerd"
                : comm.StartsWith("containerd", StringComparison.Ordinal) ? "containerd"
                : null;
            if (group is null)
            {
                continue;
            }
            // Fields after ")": state(3) ... utime(14) stime(15) cutime(16) cstime(17), numbered from 1 with pid.
            var fields = stat[(close + 2)..].Split(' ');
            double F(int number) => double.Parse(fields[number - 3], CultureInfo.InvariantCulture);
            byGroup[group] += (F(14) + F(15) + F(16) + F(17)) * TickSeconds;
        }
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
        var busy = cpu.Take(8).Sum() - cpu[3] - cpu[4];
        return new Sample(busy * TickSeconds, byGroup);
    }

    /// <summary>A sample of nothing: the start of a sum of intervals (<see cref="Plus"/>).</summary>
    public static Sample Zero { get; } = new(0, Groups.ToDictionary(g => g, _ => 0.0));

    /// <summary><paramref name="sum"/> plus the CPU spent between <paramref name="from"/> and <paramref name="to"/>.</summary>
    public static Sample Plus(Sample sum, Sample from, Sample to) => new(
        sum.BusySeconds + to.BusySeconds - from.BusySeconds,
        Groups.ToDictionary(g => g, g => sum.ByGroup[g] + to.ByGroup[g] - from.ByGroup[g]));

    /// <summary><paramref name="sum"/> less <paramref name="factor"/> times <paramref name="rate"/> (a background rate taken out).</summary>
    public static Sample Minus(Sample sum, Sample rate, double factor) => new(
        sum.BusySeconds - rate.BusySeconds * factor,
        Groups.ToDictionary(g => g, g => sum.ByGroup[g] - rate.ByGroup[g] * factor));

    /// <summary>"total 0.21 s (self 0.05, postgres 0.01, …)" per unit between two samples.</summary>
    public static string PerUnit(Sample a, Sample b, int units, string unit, string format = "0") =>
        $"{Report.Num((b.BusySeconds - a.BusySeconds) * 1000 / units, format)} ms CPU per {unit} (" +
        string.Join(", ", Groups.Select(g => $"{g} {Report.Num((b.ByGroup[g] - a.ByGroup[g]) * 1000 / units, format)}")) + ")";
}
