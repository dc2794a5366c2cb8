using EdgeAgent.Hosting;
using EdgeAgent.Inference.Session;
using EdgeAgent.Ingest;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Models;
using EdgeAgent.Models.Activation;
using EdgeAgent.Models.Packages;
using EdgeAgent.Models.Store;
using EdgeAgent.Models.Transfer;
using EdgeAgent.Pipeline;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Storage.Log;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Models;

/// <summary>Registers the model lifecycle: store, trust list, activation, rollback, the MQTT commands, and loading at start.</summary>
public static class ModelsRegistration
{
    /// <summary>
    /// <c>Models</c> options, the store, the routing table and everything that changes it. Register it first:
    /// its <see cref="ModelStartup"/> loads the models before any other stage starts. The command listener
    /// subscribes whenever the MQTT connection comes up, so its place in the start order does not matter.
    /// </summary>
    public static IServiceCollection AddModelLifecycle(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddInspection(configuration).AddValidatedOptions<ModelsOptions>(ModelsOptions.Section);
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<DataDirectoryLock>(); // one agent per data directory, store included
            var models = sp.GetRequiredService<IOptions<ModelsOptions>>().Value;
            var dataDirectory = sp.GetRequiredService<IOptions<VerdictLogOptions>>().Value.DataDirectory;
            return new ModelStore(models.StoreFolderUnder(dataDirectory), models.KeepPrevious, sp.GetRequiredService<ILoggerFactory>().CreateLogger<ModelStore>());
        });
        services.AddSingleton(sp => new ActiveModels(
            sp.GetRequiredService<InspectorFactory>(),
            sp.GetRequiredService<IOptions<ModelsOptions>>().Value.AutoRollbackAfterFailures,
            sp.GetRequiredService<IOptions<RoutingOptions>>().Value.UnknownProducts,
            sp.GetRequiredService<IOptions<IngestOptions>>().Value.DefaultProduct));
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
        services.AddSingleton(sp =>
        {
            var models = sp.GetRequiredService<IOptions<ModelsOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            // Beside store.json: the nonces guard the same thing the store does, and live as long as it.
            var nonces = new SeenNonces(sp.GetRequiredService<ModelStore>().Folder, models.CommandClockWindow, time);
            var root = Topics.RootOf(sp.GetRequiredService<IOptions<MqttOptions>>().Value);
            return new CommandAuthenticator(sp.GetRequiredService<TrustList>(), nonces, root);
        });
        services.AddSingleton(sp => new ModelActivation(
            sp.GetRequiredService<ModelStore>(),
            sp.GetRequiredService<ActiveModels>(),
            sp.GetRequiredService<TrustList>(),
            sp.GetRequiredService<CommandAuthenticator>(),
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
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<ModelTransferReceiver>(),
            sp.GetRequiredService<CommandAuthenticator>().IsSignedPush));
        services.AddHostedService<ModelStartup>();
        services.AddHostedService<ModelCommandListener>();
        return services;
    }
}
