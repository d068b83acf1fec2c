using ExecutionPlanner.Server.Persistence;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>A line of the job list.</summary>
public sealed record JobRef(string Id, ExecutionPhase Phase, string? RunId, string OwnerId, DateTimeOffset CreationTime);

/// <summary>A stored file without its content: what the job document lists.</summary>
public sealed record JobFileInfo(JobFileKind Kind, string Name, string MimeType, long Size);
