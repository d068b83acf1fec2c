namespace ExecutionPlanner.Cli.Planning;

/// <summary>What a planner's answer comes to.</summary>
internal enum AnswerKind
{
    Yes,
    No,

    /// <summary>No answer to read: down, slow, refused the token, or answered something that is not a planner answer.</summary>
    Failed,
}
