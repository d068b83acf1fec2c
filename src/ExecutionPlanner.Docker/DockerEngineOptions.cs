namespace ExecutionPlanner.Docker;

/// <summary>Where the Docker engine listens and how long an ordinary call may take.</summary>
public sealed class DockerEngineOptions
{
    public static readonly Uri DefaultEndpoint = new("unix:///var/run/docker.sock");
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary><c>unix:///path/to/docker.sock</c>, <c>tcp://host:port</c> or <c>http://host:port</c>.</summary>
    public Uri Endpoint { get; set; } = DefaultEndpoint;

    /// <summary>
    /// Applies to every call except those that block by design (wait, stop, logs with follow) and
    /// archive transfers, whose duration depends on their size; those are bounded by the caller's token.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;
}
