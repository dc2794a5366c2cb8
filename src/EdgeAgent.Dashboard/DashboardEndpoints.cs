using EdgeAgent.Dashboard.Api;
using EdgeAgent.Dashboard.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeAgent.Dashboard;

/// <summary>The dashboard's addresses. Everything is GET: the dashboard reads, it never changes the agent.</summary>
internal static class DashboardEndpoints
{
    public static void Map(IEndpointRouteBuilder app, PageEndpoints pages, ApiEndpoints api)
    {
        app.MapGet("/", (RequestDelegate)pages.Overview);
        app.MapGet("/verdicts/{id}", (RequestDelegate)pages.Detail);
        app.MapGet("/verdicts/{id}/{picture}.png", (RequestDelegate)pages.Picture);
        app.MapGet("/models", (RequestDelegate)pages.Models);
        app.MapGet("/drift/{product}", (RequestDelegate)pages.Drift);
        app.MapGet("/kpis", (RequestDelegate)pages.Kpis); // roles: supervisor
        app.MapGet("/export.csv", (RequestDelegate)api.Csv);
        app.MapGet("/api/verdicts", (RequestDelegate)api.Verdicts);
        app.MapGet("/api/verdicts/{id}", (RequestDelegate)api.Verdict);
        app.MapGet("/api/stats", (RequestDelegate)api.Stats);
        app.MapGet("/api/models", (RequestDelegate)api.Models);
        app.MapGet("/api/kpis", (RequestDelegate)api.Kpis); // roles: supervisor
        app.MapGet("/api/health", (RequestDelegate)api.Health);
        app.MapGet("/static/{file}", (RequestDelegate)StaticAssets.Serve);
    }
}
