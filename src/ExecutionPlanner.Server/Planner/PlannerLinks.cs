using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Server.Planner;

/// <summary>Absolute URLs of the planner's resources, as the client sees them (like <see cref="JobLinks"/>).</summary>
public static class PlannerLinks
{
    public const string PlannerPath = "/planner";
    public const string OfferSetsPath = PlannerPath + "/offersets";
    public const string OffersPath = PlannerPath + "/offers";

    static string Base(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";

    public static string OfferSets(HttpRequest request) => Base(request) + OfferSetsPath;

    public static string OfferSet(HttpRequest request, string id) => $"{Base(request)}{OfferSetsPath}/{id}";

    public static string Offer(HttpRequest request, string id) => $"{Base(request)}{OffersPath}/{id}";

    /// <summary>Calycopis' routes, beside ours: /offersets/{uuid} and /sessions/{uuid}.</summary>
    public static string CalycopisOfferSet(HttpRequest request, string id) => $"{Base(request)}/offersets/{id}";

    public static string Session(HttpRequest request, string id) => $"{Base(request)}/sessions/{id}";
}
