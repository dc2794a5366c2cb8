using EdgeAgent.Host.Hosting;
using EdgeAgent.Inference.Session;
using EdgeAgent.Models.Activation;
using EdgeAgent.Pipeline.Judge;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// The service's pair inspector for the verbs that judge pairs offline (inspect, calibrate): built through the
/// service's own registrations (<see cref="AgentHost.AddJudgingServices"/>) from the same configuration sources, so
/// options are validated the same way and the model, decoder, aligner, product settings and golden templates are
/// the service's. A score here is the score there.
/// </summary>
internal sealed class OfflineInspector : IDisposable
{
    private readonly ServiceProvider _services;

    private OfflineInspector(ServiceProvider services, OnnxModel model, PairInspector inspector)
    {
        _services = services;
        Model = model;
        Inspector = inspector;
    }

    public OnnxModel Model { get; }

    public PairInspector Inspector { get; }

    /// <summary>An options section as the service sees it: bound from the same sources and already validated.</summary>
    public T Options<T>()
        where T : class => _services.GetRequiredService<IOptions<T>>().Value;

    /// <summary>Loads the model (<paramref name="modelPath"/>, else the configured one); <paramref name="quiet"/> logs warnings only.</summary>
    public static OfflineInspector Create(string? configFile, string? modelPath, bool quiet)
    {
        var configuration = new ConfigurationBuilder().AddAgentConfiguration(configFile, new Dictionary<string, string?>()).Build();
        var collection = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            // Logs go to stderr so `--json` output stays one parseable object on stdout.
            .AddLogging(b => b
                .AddSimpleConsole(o => o.SingleLine = true)
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
                .SetMinimumLevel(quiet ? LogLevel.Warning : LogLevel.Information));
        var services = AgentHost.AddJudgingServices(collection, configuration).BuildServiceProvider();
        OnnxModel? model = null;
        try
        {
            AgentHost.ValidateOptions(services);
            var inference = services.GetRequiredService<IOptions<InferenceOptions>>().Value;
            model = OnnxModel.Load(ModelPaths.Resolve(modelPath ?? inference.Path), inference, services.GetRequiredService<ILogger<OnnxModel>>());
            return new OfflineInspector(services, model, services.GetRequiredService<InspectorFactory>().Create(model));
        }
        catch
        {
            model?.Dispose();
            services.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Inspector.Dispose();
        Model.Dispose();
        _services.Dispose(); // golden templates and loggers
    }
}
