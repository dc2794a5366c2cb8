using EdgeAgent.Inference.Session;
using EdgeAgent.Models.Packages;
using EdgeAgent.Models.Store;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Models.Activation;

/// <summary>
/// Builds the routing table at start from the model store. The bundled model (<c>Model:Path</c>) names the
/// default model and seeds the store at first start; after that the store's active version wins, so a model a
/// technician pushed survives restarts. A routed model that cannot load falls back to its previous version
/// (logged); the default model must load, every other route without a model judges its pairs REVIEW.
/// </summary>
public static class ModelBootstrap
{
    /// <summary>Loads every routed model's active version into a new routing table (one-shot use: tests, tools).</summary>
    public static ActiveModels Load(ModelStore store, string bundledPath, InferenceOptions inference, InspectorFactory factory, int failuresBeforeRollback, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var active = new ActiveModels(RoutesOf(factory.Products), failuresBeforeRollback);
        try
        {
            LoadInto(active, store, bundledPath, inference, factory, logger);
            return active;
        }
        catch
        {
            active.Dispose();
            throw;
        }
    }

    /// <summary>The products that name their own model, by product.</summary>
    public static IReadOnlyDictionary<string, string> RoutesOf(IReadOnlyDictionary<string, ProductSettings> products) =>
        products.Where(p => !string.IsNullOrWhiteSpace(p.Value.Model)).ToDictionary(p => p.Key, p => p.Value.Model!, StringComparer.Ordinal);

    /// <summary>Names the default model after the bundled one and loads every routed model's active version into <paramref name="active"/>.</summary>
    public static void LoadInto(ActiveModels active, ModelStore store, string bundledPath, InferenceOptions inference, InspectorFactory factory, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(active);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(factory);
        var bundled = StpmModel.Load(bundledPath, inference, logger);
        try
        {
            active.NameDefault(bundled.Info.Name);
            if (store.Active(bundled.Info.Name) is null)
            {
                store.ImportLocal(bundledPath, bundled.Info.Name, bundled.Info.Version);
                store.Activate(bundled.Info.Name, bundled.Info.Version);
            }

            foreach (var name in active.RoutedNames())
            {
                var loaded = LoadActive(store, name, inference, factory, logger, name == bundled.Info.Name ? bundled : null);
                if (loaded is not null)
                {
                    active.Activate(loaded);
                }
                else if (name == active.DefaultModel)
                {
                    throw new InvalidOperationException($"The default model '{name}' has no version in the store ({store.Folder}) that loads.");
                }
                else
                {
                    Log.RouteWithoutModel(logger, name);
                }
            }

            if (!active.Snapshot().Values.Any(m => ReferenceEquals(m.Model, bundled)))
            {
                bundled.Dispose(); // the store holds a newer default version
            }
        }
        catch
        {
            bundled.Dispose();
            throw;
        }
    }

    /// <summary>Loads a stored model version and its inspector, labelled with the store's name and version.</summary>
    public static LoadedModel Load(StoredModel stored, InferenceOptions inference, InspectorFactory factory, ILogger logger, StpmModel? alreadyLoaded = null)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(factory);
        var model = alreadyLoaded ?? StpmModel.Load(stored.ModelPath, inference, logger);
        try
        {
            return new LoadedModel(stored.Name, stored.Version, model, factory.Create(model, new ModelRef(stored.Name, stored.Version, stored.Sha256, model.Provider)));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static LoadedModel? LoadActive(ModelStore store, string name, InferenceOptions inference, InspectorFactory factory, ILogger logger, StpmModel? bundled)
    {
        for (var stored = store.Active(name); stored is not null; stored = store.Rollback(name))
        {
            try
            {
                return Load(stored, inference, factory, logger, bundled is not null && bundled.Info.Sha256 == stored.Sha256 ? bundled : null);
            }
            catch (Inference.Model.ModelContractException e)
            {
                Log.ActiveVersionFailed(logger, stored.Name, stored.Version, e.Message);
            }
        }

        return null;
    }

    /// <summary>The keys pushes must be signed with; unreadable key files are logged and skipped, never fatal.</summary>
    public static TrustList LoadTrustList(ModelsOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var trust = TrustList.Load(options.TrustedKeysFolder, options.TrustedKeyFiles);
        foreach (var problem in trust.Problems)
        {
            Log.TrustProblem(logger, problem);
        }

        Log.TrustedKeys(logger, trust.KeyIds.Count, string.Join(", ", trust.KeyIds));
        return trust;
    }
}
