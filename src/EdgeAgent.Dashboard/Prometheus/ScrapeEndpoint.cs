using Microsoft.AspNetCore.Builder;

namespace EdgeAgent.Dashboard.Prometheus;

/// <summary>Serves <see cref="PrometheusExport"/> as <c>/metrics</c>, in the Prometheus text (or OpenMetrics) format.</summary>
internal static class ScrapeEndpoint
{
    /// <summary>Where Prometheus scrapes.</summary>
    public const string Path = "/metrics";

    /// <summary>
    /// Branches <c>/metrics</c> off before the dashboard's own access gate, so the scrape keeps its own rule
    /// (<see cref="ScrapeGate"/>) whatever the pages' sign-in becomes.
    /// </summary>
    public static void Map(IApplicationBuilder app, PrometheusExport export, ScrapeGate gate) =>
        app.UseOpenTelemetryPrometheusScrapingEndpoint(
            meterProvider: export.Provider,
            predicate: null,
            path: Path,
            configureBranchedPipeline: branch => branch.Use(gate.InvokeAsync),
            optionsName: null);
}
