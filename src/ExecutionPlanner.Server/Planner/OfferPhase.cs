namespace ExecutionPlanner.Server.Planner;

/// <summary>An offer's life (ExecutionBroker session phases, the part before execution). Stored by name.</summary>
public enum OfferPhase
{
    OFFERED,
    ACCEPTED,
    REJECTED,
    EXPIRED,
}
