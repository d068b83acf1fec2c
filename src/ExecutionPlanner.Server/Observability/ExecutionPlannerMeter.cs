using System.Diagnostics.Metrics;

namespace ExecutionPlanner.Server.Observability;

/// <summary>
/// The server's own instruments, on one <see cref="Meter"/> that OpenTelemetry exports at /metrics. The code
/// paths that know a duration record it here; the counts by phase are read from PostgreSQL by
/// <see cref="PhaseCounts"/> (every node sees the whole cluster's jobs, so these are cluster-wide gauges).
/// </summary>
public sealed class ExecutionPlannerMeter : IDisposable
{
    public const string Name = "ExecutionPlanner";

    /// <summary>Buckets from 5 ms to an hour: planner answers are milliseconds, queue waits and runs are seconds to hours.</summary>
    static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    };

    readonly Meter meter;
    readonly Histogram<double> queueWait;
    readonly Histogram<double> runDuration;
    readonly Histogram<double> containerStart;
    readonly Histogram<double> plannerAnswer;

    public ExecutionPlannerMeter(IMeterFactory meters, PhaseCounts counts)
    {
        meter = meters.Create(Name);
        meter.CreateObservableGauge("ep.jobs", () => counts.Jobs(), "{job}", "Jobs in the database by UWS phase (cluster-wide, read at most every few seconds).");
        meter.CreateObservableGauge("ep.offers", () => counts.Offers(), "{offer}", "Planner offers in the database by phase (cluster-wide, read at most every few seconds).");
        queueWait = meter.CreateHistogram<double>("ep.job.queue_wait", "s", "Time a job spent QUEUED before a node claimed it (QUEUED -> EXECUTING).", tags: null, advice: Seconds);
        runDuration = meter.CreateHistogram<double>("ep.job.run_duration", "s", "Time from the container's start to its end, by how it ended (reason: Exited, Overran, Aborted, ResultsTooLarge).", tags: null, advice: Seconds);
        containerStart = meter.CreateHistogram<double>("ep.container.start_latency", "s", "Time from the claim to the container running: inputs, image user, create, folders, start.", tags: null, advice: Seconds);
        plannerAnswer = meter.CreateHistogram<double>("ep.planner.answer_duration", "s", "Time the planner took to answer a request, by route and status code.", tags: null, advice: Seconds);
    }

    public void QueueWait(TimeSpan wait) => queueWait.Record(Math.Max(0, wait.TotalSeconds));

    public void RunDuration(TimeSpan run, string reason) => runDuration.Record(Math.Max(0, run.TotalSeconds), new KeyValuePair<string, object?>("reason", reason));

    public void ContainerStart(TimeSpan latency) => containerStart.Record(Math.Max(0, latency.TotalSeconds));

    public void PlannerAnswer(TimeSpan answer, string route, string method, int status) =>
        plannerAnswer.Record(Math.Max(0, answer.TotalSeconds),
            new KeyValuePair<string, object?>("http.route", route),
            new KeyValuePair<string, object?>("http.request.method", method),
            new KeyValuePair<string, object?>("http.response.status_code", status));

    public void Dispose() => meter.Dispose();
}
