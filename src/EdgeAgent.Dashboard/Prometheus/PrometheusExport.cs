using EdgeAgent.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace EdgeAgent.Dashboard.Prometheus;

/// <summary>
/// The agent's <see cref="AgentMetrics"/> meter behind OpenTelemetry's Prometheus exporter; the dashboard serves it
/// as <c>/metrics</c> (<see cref="ScrapeEndpoint"/>). Created with the host's services, before any hosted service
/// starts, so the counters hold every pair since start and not only those after the dashboard came up. The SDK
/// listens with a <see cref="System.Diagnostics.Metrics.MeterListener"/> of its own, beside the heartbeat's
/// <see cref="MetricsReader"/>: both see every measurement. Keep the exported names in sync with README.md, "Prometheus".
/// </summary>
public sealed class PrometheusExport : IDisposable
{
    /// <summary>Starts collecting <paramref name="metrics"/>' instruments.</summary>
    public PrometheusExport(AgentMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        Provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(AgentMetrics.MeterName)
            // The SDK picks meters by name; keep this very instance only, so another host's meter in the same
            // process (tests, bench) never adds its pairs to this agent's.
            .AddView(instrument => ReferenceEquals(instrument.Meter, metrics.Meter) ? null : MetricStreamConfiguration.Drop)
            .AddPrometheusExporter(o =>
            {
                // Exactly the documented series: no otel_scope_* label on each, no target_info series (the
                // scraper's own job and instance labels say which box it is).
                o.ScopeInfoEnabled = false;
                o.TargetInfoEnabled = false;
            })
            .Build();
    }

    /// <summary>The provider that holds the exporter, for the scraping middleware.</summary>
    public MeterProvider Provider { get; }

    /// <inheritdoc/>
    public void Dispose() => Provider.Dispose();
}
