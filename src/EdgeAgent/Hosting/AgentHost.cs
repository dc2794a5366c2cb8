using EdgeAgent.Dashboard;
using EdgeAgent.Dashboard.Status;
using EdgeAgent.Hosting;
using EdgeAgent.Inference;
using EdgeAgent.Inference.Session;
using EdgeAgent.Messaging;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Sparkplug;
using EdgeAgent.Models;
using EdgeAgent.Pipeline;
using EdgeAgent.Storage;
using EdgeAgent.Storage.Log;
using EdgeAgent.Vision;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
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
        AddAgentServices(builder.Services, builder.Configuration);
        AddServiceChecks(builder.Services, builder.Configuration);
        builder.Services.AddSingleton<IAgentStatus, DashboardStatus>();
        builder.Services.AddDashboard();
        return builder.Build();
    }

    // What only the running service must hold at start (verbs such as logs read a data directory they may not write).
    private static void AddServiceChecks(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IValidateOptions<VerdictLogOptions>, DataDirectoryValidation>();
        var secrets = new InlineSecretsValidation(configuration);
        services.AddSingleton<IValidateOptions<MqttOptions>>(secrets).AddSingleton<IValidateOptions<DashboardOptions>>(secrets);
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

    /// <summary>
    /// Everything the service runs, in start order: the models load first, then MQTT (consumers before producers),
    /// then the pipeline's stages. Verbs that judge pairs register <see cref="PipelineRegistration.AddInspection"/>
    /// from the same configuration instead, so a pair scores the same in a verb as in the service.
    /// </summary>
    public static IServiceCollection AddAgentServices(IServiceCollection services, IConfiguration configuration) => AddJudgingServices(services, configuration)
        .AddStorage()
        .AddModelLifecycle(configuration)
        .AddMessaging()
        .AddBoxKeyFile()
        .AddSparkplugBdSeqFile()
        .AddPipeline(configuration);

    // The box key (Messaging) lives in the data directory (Storage) unless configured elsewhere.
    private static IServiceCollection AddBoxKeyFile(this IServiceCollection services)
    {
        services.AddOptions<MqttOptions>().PostConfigure<IOptions<VerdictLogOptions>>((mqtt, storage) => mqtt.SigningKeyFile = BoxKeyFile(mqtt, storage.Value));
        return services;
    }

    // The Sparkplug node (Messaging) keeps its bdSeq beside the database (Storage) unless configured elsewhere.
    private static IServiceCollection AddSparkplugBdSeqFile(this IServiceCollection services)
    {
        services.AddOptions<SparkplugOptions>().PostConfigure<IOptions<VerdictLogOptions>>((sparkplug, storage) =>
        {
            if (string.IsNullOrWhiteSpace(sparkplug.BdSeqFile))
            {
                sparkplug.BdSeqFile = Path.Combine(storage.Value.DataDirectory, "sparkplug-bdseq");
            }
        });
        return services;
    }

    /// <summary>The box key file: <c>Mqtt:SigningKeyFile</c>, or <c>box-signing.key</c> in the data directory.</summary>
    public static string BoxKeyFile(MqttOptions mqtt, VerdictLogOptions storage)
    {
        ArgumentNullException.ThrowIfNull(mqtt);
        ArgumentNullException.ThrowIfNull(storage);
        return string.IsNullOrWhiteSpace(mqtt.SigningKeyFile) ? Path.Combine(storage.DataDirectory, "box-signing.key") : mqtt.SigningKeyFile;
    }

    /// <summary>
    /// What a verb that judges pairs without the running service needs (inspect, calibrate): the same options,
    /// products, golden templates and inspector factory as the service, and no hosted service.
    /// </summary>
    public static IServiceCollection AddJudgingServices(IServiceCollection services, IConfiguration configuration) => services
        .AddVision()
        .AddInference()
        .AddStationIdentity()
        .AddInspection(configuration);

    /// <summary>
    /// Validates every options section registered with <see cref="OptionsRegistration.AddValidatedOptions"/>, as the
    /// host does at start; all failures come back in one <see cref="OptionsValidationException"/>.
    /// </summary>
    public static void ValidateOptions(IServiceProvider services)
    {
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            var failures = e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(i => i.Failures).ToList();
            throw new OptionsValidationException("several sections", typeof(object), failures);
        }
    }
}
