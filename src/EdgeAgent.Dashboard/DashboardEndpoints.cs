using EdgeAgent.Dashboard.Api;
using EdgeAgent.Dashboard.Labels;
using EdgeAgent.Dashboard.Pages;
using EdgeAgent.Dashboard.Review;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeAgent.Dashboard;

/// <summary>
/// The dashboard's addresses. Everything is GET (the dashboard reads) except a person's decision about a pair, which
/// the access layer lets through for operators and supervisors only.
/// </summary>
internal static class DashboardEndpoints
{
    public static void Map(IEndpointRouteBuilder app, PageEndpoints pages, ApiEndpoints api, DecisionEndpoints decisions, LabelEndpoints labels)
    {
        app.MapGet("/review", (RequestDelegate)pages.Review);
        app.MapPost("/api/verdicts/{id}/decision", (RequestDelegate)decisions.Decide);
        app.MapGet("/", (RequestDelegate)pages.Overview);
        app.MapGet("/verdicts/{id}", (RequestDelegate)pages.Detail);
        app.MapGet("/verdicts/{id}/{picture}.png", (RequestDelegate)pages.Picture);
        app.MapGet("/models", (RequestDelegate)pages.Models);
        app.MapGet("/drift/{product}", (RequestDelegate)pages.Drift);
        app.MapGet("/export.csv", (RequestDelegate)api.Csv);
        app.MapGet("/labels.zip", (RequestDelegate)labels.Zip);
        app.MapGet("/api/verdicts", (RequestDelegate)api.Verdicts);
        app.MapGet("/api/verdicts/{id}", (RequestDelegate)api.Verdict);
        app.MapGet("/api/stats", (RequestDelegate)api.Stats);
        app.MapGet("/api/models", (RequestDelegate)api.Models);
        app.MapGet("/api/health", (RequestDelegate)api.Health);
        app.MapGet("/static/{file}", (RequestDelegate)StaticAssets.Serve);
    }
}
