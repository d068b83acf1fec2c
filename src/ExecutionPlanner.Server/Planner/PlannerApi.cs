using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs;
using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Planner;

/// <summary>The planner's routes under /planner, and its services.</summary>
public static class PlannerApi
{
    public static RouteGroupBuilder MapPlanner(this IEndpointRouteBuilder app)
    {
        var planner = app.MapGroup(PlannerLinks.PlannerPath).AddEndpointFilter<UwsErrorFilter>().WithTags("Planner");
        planner.MapPost("/offersets", OfferSetEndpoints.Create).DisableAntiforgery();
        planner.MapGet("/offersets/{offerSetId}", OfferSetEndpoints.Get);
        planner.MapGet("/offers/{offerId}", OfferEndpoints.Get);
        planner.MapPost("/offers/{offerId}", OfferEndpoints.Post).DisableAntiforgery();
        planner.MapGet("/accepts", Note2021Endpoints.Accepts);
        planner.MapPost("/accept", Note2021Endpoints.Accept).DisableAntiforgery();

        // Today's Calycopis-openapi routes, at the root as its clients call them.
        var calycopis = app.MapGroup(string.Empty).AddEndpointFilter<UwsErrorFilter>().WithTags("Planner (Calycopis)");
        calycopis.MapPost("/requests", CalycopisEndpoints.Request).DisableAntiforgery();
        calycopis.MapGet("/offersets/{uuid}", CalycopisEndpoints.GetOfferSet);
        calycopis.MapGet("/sessions/{uuid}", CalycopisEndpoints.GetSession);
        calycopis.MapPost("/sessions/{uuid}", CalycopisEndpoints.UpdateSession).DisableAntiforgery();
        return planner;
    }

    public static IServiceCollection AddPlanner(this IServiceCollection services)
    {
        services.AddOptions<PlannerOptions>().BindConfiguration(PlannerOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PlannerOptions>, PlannerOptionsValidator>();
        services.AddSingleton<PlatformCapacity>();
        services.AddSingleton<OfferSetPlanner>();
        services.AddSingleton<LedgerStore>();
        services.AddSingleton<LedgerCache>();
        services.AddSingleton<HeldJobSlots>();
        services.AddSingleton<IHeldJobSlots>(sp => sp.GetRequiredService<HeldJobSlots>());
        services.AddSingleton<OfferStore>();
        services.AddScoped<OfferAcceptance>();
        services.AddScoped<SessionControl>();
        services.AddScoped<OfferSetBooking>();
        services.AddOptions<InputFetchOptions>().BindConfiguration(InputFetchOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<InputFetchOptions>, InputFetchOptionsValidator>();
        services.AddSingleton<OfferSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<OfferSweeper>());
        return services;
    }
}
