using System.Security.Cryptography;
using EdgeAgent.Inference.Model;
using EdgeAgent.Inference.Session;
using EdgeAgent.Models.Packages;
using EdgeAgent.Models.Store;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Score;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Models.Activation;

/// <summary>A product setting refused at start, with its reason code; the product keeps what it had before.</summary>
public sealed record RouteRefusal(string Product, string What, string Reason, string Detail);

/// <summary>
/// Builds the routing table at start from the model store. The bundled model (<c>Model:Path</c>) names the
/// default model and seeds the store at first start; after that the store's active version wins, so a model a
/// technician pushed survives restarts. A routed model that cannot load falls back to its previous version
/// (logged); the default model must load, every other route without a model judges its pairs REVIEW. A
/// combination or shadow that cannot work (a model the store does not hold, a gate without a classifier, a shadow
/// without a model in service) is refused with a reason code: the product is judged as if it were not configured.
/// </summary>
public static class ModelBootstrap
{
    /// <summary>Reason code: a combination or shadow names a model (version) the store does not hold.</summary>
    public const string ModelNotInStore = "MODEL_NOT_IN_STORE";

    /// <summary>Reason code: a <c>gate</c> combination without a classifier, or with nothing else to gate.</summary>
    public const string GateWithoutClassifier = "GATE_WITHOUT_CLASSIFIER";

    /// <summary>Reason code: a shadow on a product none of whose models is in service.</summary>
    public const string ShadowWithoutActiveModel = "SHADOW_WITHOUT_ACTIVE_MODEL";

    /// <summary>Loads every routed model's active version into a new routing table (one-shot use: tests, tools).</summary>
    public static ActiveModels Load(ModelStore store, string bundledPath, InferenceOptions inference, InspectorFactory factory, int failuresBeforeRollback, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var active = new ActiveModels(factory, failuresBeforeRollback);
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

    /// <summary>The routes the products configure, before the store is consulted.</summary>
    /// <exception cref="OptionsValidationException">A product's route is malformed (unknown policy, shadow without version) or its uncertainty band is.</exception>
    public static IReadOnlyDictionary<string, ProductRoute> RoutesOf(IReadOnlyDictionary<string, ProductSettings> products)
    {
        ArgumentNullException.ThrowIfNull(products);
        var routes = new Dictionary<string, ProductRoute>(StringComparer.Ordinal);
        foreach (var (product, settings) in products)
        {
            try
            {
                settings.CheckBand();
                if (ProductRoute.From(settings) is { } route)
                {
                    routes[product] = route;
                }
            }
            catch (FormatException e)
            {
                throw new OptionsValidationException(ProductSettings.Section, typeof(ProductSettings), [$"Products:{product}: {e.Message}"]);
            }
        }

        return routes;
    }

    /// <summary>
    /// Names the default model after the bundled one, loads every routed model's active version and every shadow into
    /// <paramref name="active"/>, and sets the routes; returns the settings it refused.
    /// </summary>
    public static IReadOnlyList<RouteRefusal> LoadInto(ActiveModels active, ModelStore store, string bundledPath, InferenceOptions inference, InspectorFactory factory, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(active);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(factory);
        var refusals = new List<RouteRefusal>();
        var bundled = OnnxModel.Load(bundledPath, inference, logger);
        try
        {
            active.NameDefault(bundled.Info.Name);
            if (store.Active(bundled.Info.Name) is null)
            {
                store.ImportLocal(bundledPath, bundled.Info.Name, bundled.Info.Version);
                store.Activate(bundled.Info.Name, bundled.Info.Version);
            }

            var routes = RoutesOf(factory.Products).ToDictionary(StringComparer.Ordinal);
            foreach (var (product, route) in routes.ToList())
            {
                // One model the store lacks keeps its route: its pairs are REVIEW until it is pushed. A combination must be whole.
                if (route.Models.Count > 1 && route.Models.FirstOrDefault(m => store.Active(m) is null) is { } absent)
                {
                    routes[product] = Refuse(product, route, factory, refusals, $"combination {string.Join(" + ", route.Models)}", ModelNotInStore, $"the store holds no active version of '{absent}'");
                }
            }

            active.Route(routes);
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

            var loadedModels = active.Snapshot();
            foreach (var (product, route) in routes.ToList())
            {
                var kinds = route.Models.Select(m => loadedModels.GetValueOrDefault(m)?.Model.Info.Kind).ToList();
                if (route.Combine == CombinePolicy.Gate && (!kinds.Contains(ModelKind.Classifier) || kinds.All(k => k == ModelKind.Classifier) || kinds.Contains(null)))
                {
                    routes[product] = Refuse(product, route, factory, refusals, $"gate {string.Join(" + ", route.Models)}", GateWithoutClassifier, "a gate needs a loaded classifier and at least one other model");
                }
            }

            active.Route(routes);
            LoadShadows(active, store, routes, inference, factory, refusals, logger);
            if (!active.Snapshot().Values.Any(m => ReferenceEquals(m.Model, bundled)))
            {
                bundled.Dispose(); // the store holds a newer default version
            }

            foreach (var refusal in refusals)
            {
                Log.RouteRefused(logger, refusal.Product, refusal.What, refusal.Reason, refusal.Detail);
            }

            return refusals;
        }
        catch
        {
            bundled.Dispose();
            throw;
        }
    }

    // A refused combination leaves the product as it would be without it: its single Model, else the default (its shadow kept).
    private static ProductRoute Refuse(string product, ProductRoute route, InspectorFactory factory, List<RouteRefusal> refusals, string what, string reason, string detail)
    {
        refusals.Add(new RouteRefusal(product, what, reason, detail));
        var single = factory.Products.GetValueOrDefault(product)?.Model;
        return new ProductRoute(string.IsNullOrWhiteSpace(single) || route.Models.Count == 1 ? [] : [single.Trim()], null, route.Shadow);
    }

    private static void LoadShadows(ActiveModels active, ModelStore store, Dictionary<string, ProductRoute> routes, InferenceOptions inference, InspectorFactory factory, List<RouteRefusal> refusals, ILogger logger)
    {
        var loaded = new Dictionary<ShadowRef, LoadedModel>();
        foreach (var (product, route) in routes.Where(r => r.Value.Shadow is not null).ToList())
        {
            var shadow = route.Shadow!;
            string? problem = null, reason = null;
            if (!active.RouteOf(product).Models.All(active.Snapshot().ContainsKey))
            {
                (reason, problem) = (ShadowWithoutActiveModel, $"product {product} has no model in service to compare with");
            }
            else if (store.Versions(shadow.Name).FirstOrDefault(v => v.Version == shadow.Version) is not { } stored)
            {
                (reason, problem) = (ModelNotInStore, $"the store holds no {shadow}");
            }
            else if (!loaded.ContainsKey(shadow))
            {
                try
                {
                    loaded[shadow] = Load(stored, inference, factory, logger);
                    active.SetShadow(shadow, loaded[shadow]);
                }
                catch (ModelContractException e)
                {
                    (reason, problem) = (e.Reason, e.Message);
                }
            }

            if (problem is not null)
            {
                refusals.Add(new RouteRefusal(product, $"shadow {shadow}", reason!, problem));
                routes[product] = route with { Shadow = null };
            }
            else
            {
                Log.ShadowInService(logger, product, shadow.Name, shadow.Version);
            }
        }

        active.Route(routes);
    }

    /// <summary>Reason code: a stored model's file no longer has the SHA-256 it was verified and installed with.</summary>
    public const string ModelHashMismatch = ModelContractException.HashMismatch;

    /// <summary>
    /// Loads a stored model version, labelled with the store's name and version. The store recorded the SHA-256 the
    /// package's signed manifest gave, and a file changed since (a bad sector, a hand edit, a planted model) is refused
    /// by the loader before ONNX Runtime parses it, as a broken contract is.
    /// </summary>
    /// <exception cref="ModelContractException">The file is not the one installed (<see cref="ModelHashMismatch"/>), or does not load.</exception>
    public static LoadedModel Load(StoredModel stored, InferenceOptions inference, InspectorFactory factory, ILogger logger, OnnxModel? alreadyLoaded = null)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(factory);
        OnnxModel model;
        try
        {
            model = alreadyLoaded ?? OnnxModel.Load(stored.ModelPath, inference, logger, stored.Sha256);
        }
        catch (ModelContractException e) when (e.Reason == ModelHashMismatch)
        {
            throw new ModelContractException($"{stored.Name} {stored.Version}: {e.Message} (the store installed it with that hash)", e, ModelHashMismatch);
        }

        if (model.Info.Sha256 != stored.Sha256)
        {
            // A model loaded before (the bundled one) that is not the stored version.
            throw new ModelContractException(
                $"{stored.Name} {stored.Version}: the loaded model has sha256 {model.Info.Sha256}, but the store installed it with sha256 {stored.Sha256}: refused",
                reason: ModelHashMismatch);
        }

        return factory.Wrap(model, stored.Name, stored.Version, stored.Sha256);
    }

    private static LoadedModel? LoadActive(ModelStore store, string name, InferenceOptions inference, InspectorFactory factory, ILogger logger, OnnxModel? bundled)
    {
        for (var stored = store.Active(name); stored is not null; stored = store.Rollback(name))
        {
            try
            {
                return Load(stored, inference, factory, logger, bundled is not null && bundled.Info.Sha256 == stored.Sha256 ? bundled : null);
            }
            catch (ModelContractException e)
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
