using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Inference.Session;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Decode;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// The service's pair inspector for the verbs that judge pairs offline (inspect, calibrate): the same
/// configuration sources, model, decoder, aligner and product settings, so a score here is the score there.
/// </summary>
internal sealed class OfflineInspector : IDisposable
{
    private readonly ILoggerFactory loggers;

    private OfflineInspector(ILoggerFactory loggers, IConfiguration configuration, StpmModel model, PairInspector inspector)
    {
        this.loggers = loggers;
        Configuration = configuration;
        Model = model;
        Inspector = inspector;
    }

    public IConfiguration Configuration { get; }

    public StpmModel Model { get; }

    public PairInspector Inspector { get; }

    /// <summary>Loads the model (<paramref name="modelPath"/>, else the configured one); <paramref name="quiet"/> logs warnings only.</summary>
    public static OfflineInspector Create(string? configFile, string? modelPath, bool quiet)
    {
        var configuration = new ConfigurationBuilder().AddAgentConfiguration(configFile, new Dictionary<string, string?>()).Build();
        var inference = configuration.GetSection(InferenceOptions.Section).Get<InferenceOptions>() ?? new InferenceOptions();
        // Logs go to stderr so `--json` output stays one parseable object on stdout.
        var loggers = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .SetMinimumLevel(quiet ? LogLevel.Warning : LogLevel.Information));
        StpmModel? model = null;
        try
        {
            model = StpmModel.Load(AgentHost.ResolveModelPath(modelPath ?? inference.Path), inference, loggers.CreateLogger<StpmModel>());
            var mqtt = configuration.GetSection(MqttOptions.Section).Get<MqttOptions>() ?? new MqttOptions();
            var inspector = new InspectorFactory(
                configuration.GetSection(DecodeLimits.Section).Get<DecodeLimits>() ?? new DecodeLimits(),
                configuration.GetSection(AlignmentOptions.Section).Get<AlignmentOptions>() ?? new AlignmentOptions(),
                AgentHost.ReadProducts(configuration),
                AgentHost.StationOf(mqtt),
                new VerdictIdGenerator(TimeProvider.System),
                TimeProvider.System).Create(model);
            return new OfflineInspector(loggers, configuration, model, inspector);
        }
        catch
        {
            model?.Dispose();
            loggers.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Inspector.Dispose();
        Model.Dispose();
        loggers.Dispose();
    }
}
