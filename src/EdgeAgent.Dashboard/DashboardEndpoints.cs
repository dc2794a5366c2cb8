using EdgeAgent.Dashboard.Access;
using EdgeAgent.Dashboard.Api;
using EdgeAgent.Dashboard.Labels;
using EdgeAgent.Dashboard.Pages;
using EdgeAgent.Dashboard.Review;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeAgent.Dashboard;

/// <summary>
/// The dashboard's addresses. Everything is GET (the dashboard reads) except signing in and out and a person's
/// decision about a pair. Access rules per endpoint: <see cref="DashboardAccess.RequireDashboardRole"/>; the login
/// form and static files are public (see <see cref="DashboardGate"/>).
/// </summary>
internal static class DashboardEndpoints
{
    public static void Map(IEndpointRouteBuilder app, PageEndpoints pages, ApiEndpoints api, LoginEndpoints login, DecisionEndpoints decisions, LabelEndpoints labels)
    {
        app.MapGet("/review", (RequestDelegate)pages.Review).RequireDashboardRole(DashboardRole.Operator);
        app.MapPost("/api/verdicts/{id}/decision", (RequestDelegate)decisions.Decide).RequireDashboardRole(DashboardRole.Operator);
        app.MapGet("/", (RequestDelegate)pages.Overview);
        app.MapGet("/verdicts/{id}", (RequestDelegate)pages.Detail);
        app.MapGet("/verdicts/{id}/{picture}.png", (RequestDelegate)pages.Picture);
        // Operators have no business with models (issue 16): technicians, supervisors and the read-only viewer do.
        app.MapGet("/models", (RequestDelegate)pages.Models).RequireDashboardRole(DashboardRole.Viewer, DashboardRole.Technician, DashboardRole.Supervisor);
        app.MapGet("/drift/{product}", (RequestDelegate)pages.Drift);
        // KPIs and exports are the supervisors' (issue 16); the read-only viewer of before keeps them.
        app.MapGet("/kpis", (RequestDelegate)pages.Kpis).RequireDashboardRole(DashboardRole.Viewer, DashboardRole.Supervisor);
        app.MapGet("/export.csv", (RequestDelegate)api.Csv).RequireDashboardRole(DashboardRole.Viewer, DashboardRole.Supervisor);
        // Exports are a supervisor's (issue 16): the pairs' pictures leave the box with them.
        app.MapGet("/labels.zip", (RequestDelegate)labels.Zip).RequireDashboardRole(DashboardRole.Supervisor);
        app.MapGet("/api/verdicts", (RequestDelegate)api.Verdicts);
        app.MapGet("/api/verdicts/{id}", (RequestDelegate)api.Verdict);
        app.MapGet("/api/stats", (RequestDelegate)api.Stats);
        app.MapGet("/api/models", (RequestDelegate)api.Models).RequireDashboardRole(DashboardRole.Viewer, DashboardRole.Technician, DashboardRole.Supervisor);
        app.MapGet("/api/kpis", (RequestDelegate)api.Kpis).RequireDashboardRole(DashboardRole.Viewer, DashboardRole.Supervisor);
        app.MapGet("/api/health", (RequestDelegate)api.Health);
        // The login page needs the stylesheet before anyone has signed in; the assets are the same for everybody.
        app.MapGet("/static/{file}", (RequestDelegate)StaticAssets.Serve).WithMetadata(PublicEndpoint.Instance);
        app.MapGet("/login", (RequestDelegate)login.Form).WithMetadata(PublicEndpoint.Instance);
        app.MapPost("/login", (RequestDelegate)login.SignIn).WithMetadata(PublicEndpoint.Instance);
        app.MapPost("/logout", (RequestDelegate)login.SignOut).WithMetadata(PublicEndpoint.Instance);
    }
}
