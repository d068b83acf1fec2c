namespace ExecutionPlanner.Bench;

/// <summary>Order statistics of a sample of latencies (milliseconds), nearest-rank percentiles.</summary>
public sealed record Stats(int Count, double Min, double Median, double P95, double P99, double Max, double Mean)
{
    public static Stats Of(IEnumerable<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        if (sorted.Length == 0)
        {
            return new Stats(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }
        return new Stats(sorted.Length, sorted[0], Percentile(sorted, 50), Percentile(sorted, 95), Percentile(sorted, 99),
            sorted[^1], sorted.Average());
    }

    /// <summary>Nearest rank: the smallest value with at least p % of the sample at or below it.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Ms(long fromTimestamp, long toTimestamp) =>
        (toTimestamp - fromTimestamp) * 1000.0 / System.Diagnostics.Stopwatch.Frequency;

    public string Summary() => $"median {Report.Ms(Median)}, p95 {Report.Ms(P95)}, p99 {Report.Ms(P99)}, max {Report.Ms(Max)} (n={Count})";
}
