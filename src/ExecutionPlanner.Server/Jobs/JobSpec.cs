namespace ExecutionPlanner.Server.Jobs;

/// <summary>What a simple-docker-uws job asks to run, after validation (design §4).</summary>
public sealed record JobSpec(
    string Image,
    IReadOnlyList<string> Cmd,
    IReadOnlyList<KeyValuePair<string, string>> Env,
    decimal? Cores,
    long? MemoryBytes);
