using EdgeAgent.Dashboard;
using EdgeAgent.Dashboard.Status;
using EdgeAgent.Host.Health;
using EdgeAgent.Host.Inspect;
using EdgeAgent.Host.Models;
using EdgeAgent.Host.Pipeline;
using EdgeAgent.Inference.Session;
using EdgeAgent.Ingest;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Models;
using EdgeAgent.Models;
using EdgeAgent.Messaging.Publish;
using EdgeAgent.Publish;
using EdgeAgent.Storage.Log;
using EdgeAgent.Storage.Retention;
using EdgeAgent.Telemetry;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Decode;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Host.Hosting;

/// <summary>Composes the agent: configuration, validated options, the pipeline stages and systemd integration.</summary>
public static class AgentHost
{
    /// <summary>Configuration sources, later ones winning: built-in defaults, /etc/edgeagent/edgeagent.json, --config file, EDGEAGENT_ environment, the verb's own settings.</summary>
    public static IConfigurationBuilder AddAgentConfiguration(this IConfigurationBuilder configuration, string? configFile, IDictionary<string, string?> overrides)
    {
        configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile("/etc/edgeagent/edgeagent.json", optional: true);
        if (configFile is not null)
        {
            configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }

        return configuration.AddEnvironmentVariables("EDGEAGENT_").AddInMemoryCollection(overrides);
    }

    /// <summary>
    /// What the service does differently from the one-pair verbs, under every other source: one ONNX Runtime
    /// thread per run, because the pipeline runs one inference lane per core (see <see cref="PipelineOptions.LanesFor"/>).
    /// </summary>
    public static IConfigurationBuilder AddServiceDefaults(this IConfigurationBuilder configuration) =>
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { [$"{InferenceOptions.Section}:{nameof(InferenceOptions.IntraOpThreads)}"] = "1" });

    /// <summary>Builds the agent host; services are created when it starts, so a bad model or config fails start-up.</summary>
    public static IHost Build(string? configFile, IDictionary<string, string?> overrides)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
            DisableDefaults = false,
        });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddServiceDefaults().AddAgentConfiguration(configFile, overrides);
        builder.Services.AddSystemd();
        // AddSystemd registers the notifier only under systemd; the heartbeat always asks for one
        // (outside systemd it is simply disabled).
        builder.Services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
        AddOptions<IngestOptions>(builder.Services, IngestOptions.Section);
        AddOptions<AlignmentOptions>(builder.Services, AlignmentOptions.Section);
        AddOptions<DecodeLimits>(builder.Services, DecodeLimits.Section);
        AddOptions<InferenceOptions>(builder.Services, InferenceOptions.Section);
        AddOptions<MqttOptions>(builder.Services, MqttOptions.Section);
        builder.Services.AddSingleton<IValidateOptions<MqttOptions>, MqttSecurityValidation>();
        AddOptions<VerdictLogOptions>(builder.Services, VerdictLogOptions.Section);
        AddOptions<HealthOptions>(builder.Services, HealthOptions.Section);
        AddOptions<RetentionOptions>(builder.Services, RetentionOptions.Section);
        AddOptions<ModelsOptions>(builder.Services, ModelsOptions.Section);
        AddOptions<ModelTransferLimits>(builder.Services, ModelTransferLimits.Section);
        AddOptions<PipelineOptions>(builder.Services, PipelineOptions.Section);
        AddOptions<DashboardOptions>(builder.Services, DashboardOptions.Section);

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<VerdictIdGenerator>();
        services.AddSingleton<PipelineChannels>();
        services.AddSingleton(sp => sp.GetRequiredService<PipelineChannels>().Candidates.Writer);
        services.AddSingleton(sp => DataDirectoryLock.Acquire(sp.GetRequiredService<IOptions<VerdictLogOptions>>().Value.DataDirectory));
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<DataDirectoryLock>();
            return VerdictLog.Open(sp.GetRequiredService<IOptions<VerdictLogOptions>>().Value.DatabasePath);
        });
        services.AddSingleton<IPairJournal>(sp => sp.GetRequiredService<VerdictLog>());
        services.AddSingleton<IVerdictOutbox>(sp => sp.GetRequiredService<VerdictLog>());
        services.AddSingleton(sp => StationOf(sp.GetRequiredService<IOptions<MqttOptions>>().Value));
        services.AddSingleton(sp => new GoldenTemplates(ReadProducts(builder.Configuration), sp.GetRequiredService<IOptions<DecodeLimits>>().Value));
        services.AddSingleton(sp => CreateInspectorFactory(sp, builder.Configuration));
        // Ingest must not wait for template files that never come for products judged against a golden image.
        services.PostConfigure<IngestOptions>(o => o.ProductsWithoutTemplates =
            ReadProducts(builder.Configuration).Where(p => !string.IsNullOrWhiteSpace(p.Value.GoldenImage)).Select(p => p.Key).ToHashSet(StringComparer.Ordinal));
        services.AddSingleton(sp => OpenModelStore(sp));
        services.AddSingleton(sp => LoadActiveModels(sp));
        services.AddSingleton(sp => new ModelRollback(
            sp.GetRequiredService<ModelStore>(),
            sp.GetRequiredService<ActiveModels>(),
            sp.GetRequiredService<IOptions<InferenceOptions>>().Value,
            sp.GetRequiredService<InspectorFactory>(),
            sp.GetRequiredService<VerdictLog>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<ModelRollback>()));
        services.AddSingleton(sp => ModelBootstrap.LoadTrustList(
            sp.GetRequiredService<IOptions<ModelsOptions>>().Value, sp.GetRequiredService<ILoggerFactory>().CreateLogger<TrustList>()));
        services.AddSingleton(sp => new ModelActivation(
            sp.GetRequiredService<ModelStore>(),
            sp.GetRequiredService<ActiveModels>(),
            sp.GetRequiredService<TrustList>(),
            sp.GetRequiredService<IOptions<ModelsOptions>>().Value,
            sp.GetRequiredService<IOptions<InferenceOptions>>().Value,
            sp.GetRequiredService<InspectorFactory>(),
            sp.GetRequiredService<VerdictLog>(),
            sp.GetRequiredService<IOptions<VerdictLogOptions>>().Value.DataDirectory,
            sp.GetRequiredService<IOptions<IngestOptions>>().Value.DefaultProduct,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<ModelActivation>()));
        services.AddSingleton<IModelCommandHandler, ModelCommands>();
        services.AddSingleton(sp => new ModelTransferReceiver(
            Path.Combine(sp.GetRequiredService<IOptions<VerdictLogOptions>>().Value.DataDirectory, "incoming", "transfers"),
            sp.GetRequiredService<IOptions<ModelTransferLimits>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<ModelTransferReceiver>()));
        services.AddSingleton<ProcessedFiles>();
        services.AddSingleton<PipelineProgress>();
        services.AddSingleton(sp => new OutboxGate(sp.GetRequiredService<IOptions<HealthOptions>>().Value.OutboxLimit));
        services.AddSingleton(sp => CreateMetrics(sp)).AddSingleton<MetricsReader>(); // the host's IMeterFactory owns the meter
        services.AddSingleton<HealthMonitor>();

        // Start order = registration order: consumers before producers, so nothing waits on a stage that is not up.
        services.AddSingleton<MqttConnection>().AddHostedService(sp => sp.GetRequiredService<MqttConnection>());
        services.AddSingleton<VerdictPublisher>().AddHostedService(sp => sp.GetRequiredService<VerdictPublisher>());
        services.AddSingleton<JournalWriter>().AddHostedService(sp => sp.GetRequiredService<JournalWriter>());
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<ModelRollback>(); // watches the models the worker judges with, from the first pair on
            return ActivatorUtilities.CreateInstance<InspectionWorker>(sp);
        }).AddHostedService(sp => sp.GetRequiredService<InspectionWorker>());
        services.AddSingleton<IngestService>().AddHostedService(sp => sp.GetRequiredService<IngestService>());
        services.AddHostedService<ModelCommandListener>();
        services.AddHostedService<HeartbeatService>();
        services.AddHostedService<RetentionService>();
        services.AddSingleton<IAgentStatus, DashboardStatus>();
        services.AddDashboard();
        return builder.Build();
    }

    /// <summary>
    /// The settings that point an agent at one AOI folder, data directory and broker identity, with quiet
    /// console logs and no dashboard: what the demo and the end-to-end tests run the real host with.
    /// </summary>
    public static Dictionary<string, string?> SettingsFor(string watchedFolder, string dataDirectory, MqttOptions mqtt) => new()
    {
        ["Ingest:Folders:0"] = watchedFolder,
        ["Storage:DataDirectory"] = dataDirectory,
        ["Mqtt:Host"] = mqtt.Host,
        ["Mqtt:Port"] = mqtt.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Mqtt:Site"] = mqtt.Site,
        ["Mqtt:Area"] = mqtt.Area,
        ["Mqtt:Line"] = mqtt.Line,
        ["Mqtt:Station"] = mqtt.Station,
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        // Short-lived runs have no supervisor to serve, and parallel ones would contend for the dashboard's port.
        ["Dashboard:Enabled"] = "false",
    };

    /// <summary>Resolves a model path: absolute, else relative to the current folder if it exists there, else to the executable.</summary>
    public static string ResolveModelPath(string path) =>
        Path.IsPathRooted(path) || File.Exists(path) ? Path.GetFullPath(path) : Path.Combine(AppContext.BaseDirectory, path);

    /// <summary>Reads the per-product overrides (each is checked against the model when the inspector is created).</summary>
    public static IReadOnlyDictionary<string, ProductSettings> ReadProducts(IConfiguration configuration) =>
        configuration.GetSection(ProductSettings.Section).Get<Dictionary<string, ProductSettings>>() ?? [];

    /// <summary>The station identity stamped on verdicts.</summary>
    public static StationIdentity StationOf(MqttOptions mqtt) => new(mqtt.Site, mqtt.Area, mqtt.Line, mqtt.Station);

    private static ActiveModels LoadActiveModels(IServiceProvider sp)
    {
        var inference = sp.GetRequiredService<IOptions<InferenceOptions>>().Value;
        var factory = sp.GetRequiredService<InspectorFactory>();
        var active = ModelBootstrap.Load(sp.GetRequiredService<ModelStore>(), ResolveModelPath(inference.Path), inference, factory,
            sp.GetRequiredService<IOptions<ModelsOptions>>().Value.AutoRollbackAfterFailures, sp.GetRequiredService<ILoggerFactory>().CreateLogger<StpmModel>());
        foreach (var model in active.Snapshot().Values)
        {
            CheckProducts(factory.Products.Where(p => active.RouteOf(p.Key) == model.Name), model.Model);
        }

        // Thresholds are checked against the models above; a changed one goes to the audit trail before the first pair.
        ThresholdAudit.RecordChanges(sp.GetRequiredService<VerdictLog>(), factory.Products, sp.GetRequiredService<TimeProvider>());

        return active;
    }

    // The gauges read the queues and the outbox where they are, when a reader or exporter asks.
    private static AgentMetrics CreateMetrics(IServiceProvider sp)
    {
        var (metrics, channels, outbox) = (new AgentMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()), sp.GetRequiredService<PipelineChannels>(), sp.GetRequiredService<OutboxGate>());
        metrics.ObserveQueue("candidates", () => channels.Candidates.Reader.Count);
        metrics.ObserveQueue("judged", () => channels.Judged.Reader.Count);
        metrics.ObserveOutbox(() => outbox.Backlog);
        return metrics;
    }

    private static ModelStore OpenModelStore(IServiceProvider sp)
    {
        sp.GetRequiredService<DataDirectoryLock>(); // one agent per data directory, store included
        var models = sp.GetRequiredService<IOptions<ModelsOptions>>().Value;
        var dataDirectory = sp.GetRequiredService<IOptions<VerdictLogOptions>>().Value.DataDirectory;
        return new ModelStore(models.StoreFolderUnder(dataDirectory), models.KeepPrevious, sp.GetRequiredService<ILoggerFactory>().CreateLogger<ModelStore>());
    }

    private static InspectorFactory CreateInspectorFactory(IServiceProvider sp, IConfiguration configuration) => new(
        sp.GetRequiredService<IOptions<DecodeLimits>>().Value,
        sp.GetRequiredService<IOptions<AlignmentOptions>>().Value,
        ReadProducts(configuration),
        sp.GetRequiredService<StationIdentity>(),
        sp.GetRequiredService<VerdictIdGenerator>(),
        sp.GetRequiredService<TimeProvider>(),
        sp.GetRequiredService<GoldenTemplates>(),
        sp.GetRequiredService<IOptions<PipelineOptions>>().Value.MaxBatch);

    /// <summary>Every product's overrides must apply to <paramref name="model"/>'s scoring; a malformed one stops the start.</summary>
    private static void CheckProducts(IEnumerable<KeyValuePair<string, ProductSettings>> products, StpmModel model)
    {
        foreach (var (name, settings) in products)
        {
            try
            {
                settings.Apply(model.Info.Scoring);
            }
            catch (FormatException e)
            {
                throw new OptionsValidationException(ProductSettings.Section, typeof(ProductSettings), [$"Products:{name}: {e.Message}"]);
            }
        }
    }

    private static void AddOptions<T>(IServiceCollection services, string section)
        where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
