namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// How VOSI /capabilities names the planner's other dialects (none is a registered standard; these
/// follow the ExecutionBroker id the offer-set API uses).
/// </summary>
public static class PlannerStandardIds
{
    /// <summary>The 2021 ExecutionPlanner note: /planner/accepts and /planner/accept.</summary>
    public const string Note2021 = "ivo://ivoa.net/std/ExecutionPlanner#accepts-2021";

    /// <summary>Calycopis-openapi's routes at the root: /requests, /offersets/{uuid}, /sessions/{uuid}.</summary>
    public const string Calycopis = "ivo://ivoa.net/std/ExecutionBroker#requests-1.0";
}
