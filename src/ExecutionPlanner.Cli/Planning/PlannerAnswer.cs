namespace ExecutionPlanner.Cli.Planning;

/// <summary>What one planner said, in any dialect, reduced to YES with offers, NO with reasons, or a failure with its cause.</summary>
internal sealed record PlannerAnswer(PlannerService Service, AnswerKind Kind, string Dialect, IReadOnlyList<string> Reasons, IReadOnlyList<OfferCandidate> Offers)
{
    public TimeSpan Elapsed { get; init; }

    public static PlannerAnswer Failure(PlannerService service, string reason) => new(service, AnswerKind.Failed, "", [reason], []);
}
