using System.Diagnostics.Metrics;
using EdgeAgent.Drift;
using EdgeAgent.Hosting;
using EdgeAgent.Ingest;
using EdgeAgent.Messaging.Sparkplug;
using EdgeAgent.Pipeline.Drift;
using EdgeAgent.Pipeline.Health;
using EdgeAgent.Pipeline.Ingest;
using EdgeAgent.Pipeline.Journal;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Pipeline.Retention;
using EdgeAgent.Publish;
using EdgeAgent.Telemetry;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Decode;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Pipeline;

/// <summary>Registers the stages a pair travels through, in that order.</summary>
public static class PipelineRegistration
{
    /// <summary>
    /// How a pair is judged, and nothing that runs: pair naming (<c>Ingest</c>), the per-product settings (<c>Products</c>), golden templates,
    /// and the <see cref="InspectorFactory"/>. The service and every verb that judges pairs (inspect, calibrate,
    /// bench, the canary) take their inspectors from here, so a pair scores the same everywhere.
    /// </summary>
    public static IServiceCollection AddInspection(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(InspectorFactory)))
        {
            return services; // the model lifecycle and the pipeline both need it; one registration serves both
        }

        var products = ReadProducts(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<VerdictIdGenerator>();
        services.AddValidatedOptions<PipelineOptions>(PipelineOptions.Section).AddValidatedOptions<IngestOptions>(IngestOptions.Section)
            .AddValidatedOptions<RoutingOptions>(RoutingOptions.Section);
        services.AddSingleton(sp => new GoldenTemplates(products, sp.GetRequiredService<IOptions<DecodeLimits>>().Value));
        services.AddSingleton(sp => new InspectorFactory(
            sp.GetRequiredService<IOptions<DecodeLimits>>().Value,
            sp.GetRequiredService<IOptions<AlignmentOptions>>().Value,
            products,
            sp.GetRequiredService<StationIdentity>(),
            sp.GetRequiredService<VerdictIdGenerator>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<GoldenTemplates>(),
            sp.GetRequiredService<IOptions<PipelineOptions>>().Value.MaxBatch));
        return services;
    }

    /// <summary>
    /// The running pipeline: ingest → prepare and judge (the inspection worker) → journal, with drift, health and
    /// retention beside it. Hosted services start in registration order, consumers before producers, so no
    /// stage waits on one that is not up; the MQTT publisher (<c>AddMessaging</c>) must be registered before.
    /// </summary>
    public static IServiceCollection AddPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddInspection(configuration).AddValidatedOptions<HealthOptions>(HealthOptions.Section).AddValidatedOptions<DriftOptions>(DriftOptions.Section);
        // Ingest must not wait for template files that never come for products judged against a golden image.
        var goldenProducts = ReadProducts(configuration).Where(p => !string.IsNullOrWhiteSpace(p.Value.GoldenImage)).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        services.PostConfigure<IngestOptions>(o => o.ProductsWithoutTemplates = goldenProducts);
        services.AddSingleton<PipelineChannels>();
        services.AddSingleton(sp => sp.GetRequiredService<PipelineChannels>().Candidates.Writer);
        services.AddSingleton<ProcessedFiles>();
        services.AddSingleton<PipelineProgress>();
        services.AddSingleton<ShadowTally>();
        services.AddSingleton(sp => new OutboxGate(sp.GetRequiredService<IOptions<HealthOptions>>().Value.OutboxLimit));
        services.AddSingleton(CreateMetrics).AddSingleton<MetricsReader>(); // the host's IMeterFactory owns the meter
        services.AddSingleton<DriftMonitor>().AddHostedService(sp => sp.GetRequiredService<DriftMonitor>()); // resumes its charts before the first verdict is stored
        services.AddSingleton<HealthMonitor>();
        services.AddSingleton<ISparkplugSource, SparkplugReadings>(); // what the Sparkplug node (Messaging) reports
        services.AddSingleton<JournalWriter>().AddHostedService(sp => sp.GetRequiredService<JournalWriter>());
        services.AddSingleton<InspectionWorker>().AddHostedService(sp => sp.GetRequiredService<InspectionWorker>());
        services.AddSingleton<IngestService>().AddHostedService(sp => sp.GetRequiredService<IngestService>());
        services.AddHostedService<HeartbeatService>();
        services.AddHostedService<RetentionService>();
        return services;
    }

    // The gauges read the queues and the outbox where they are, when a reader or exporter asks.
    private static AgentMetrics CreateMetrics(IServiceProvider sp)
    {
        var (metrics, channels, outbox) = (new AgentMetrics(sp.GetRequiredService<IMeterFactory>()), sp.GetRequiredService<PipelineChannels>(), sp.GetRequiredService<OutboxGate>());
        metrics.ObserveQueue("candidates", () => channels.Candidates.Reader.Count);
        metrics.ObserveQueue("judged", () => channels.Judged.Reader.Count);
        metrics.ObserveOutbox(() => outbox.Backlog);
        return metrics;
    }

    /// <summary>Reads the per-product overrides (each is checked against its model when the models load).</summary>
    public static IReadOnlyDictionary<string, ProductSettings> ReadProducts(IConfiguration configuration) =>
        configuration.GetSection(ProductSettings.Section).Get<Dictionary<string, ProductSettings>>() ?? [];
}
