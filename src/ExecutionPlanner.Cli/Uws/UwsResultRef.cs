namespace ExecutionPlanner.Cli.Uws;

/// <summary>One result: its id and where to fetch it.</summary>
internal sealed record UwsResultRef(string Id, Uri Href, long? Size, string? MimeType);
