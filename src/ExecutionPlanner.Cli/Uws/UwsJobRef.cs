namespace ExecutionPlanner.Cli.Uws;

/// <summary>One entry of a job list.</summary>
internal sealed record UwsJobRef(string JobId, Uri Href, string Phase, string? RunId, string? OwnerId, string? CreationTime);
