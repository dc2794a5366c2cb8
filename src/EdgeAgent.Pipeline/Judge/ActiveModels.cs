namespace EdgeAgent.Pipeline.Judge;

/// <summary>
/// The routing table: product → its route (configuration <c>Products:&lt;product&gt;:Model</c> or <c>:Models</c>
/// with <c>:Combine</c>, else the default model; optionally a <c>:Shadow</c>) → the loaded active versions of
/// those models. Activation swaps an entry between two pairs: a pair already leased finishes on the old model,
/// the next one gets the new model. The inspector of each combination of loaded models is made once and reused,
/// so pairs of the same route batch together.
/// </summary>
/// <param name="factory">Makes the inspectors; its product settings say which products the configuration names.</param>
/// <param name="failuresBeforeRollback">Inference failures in a row that roll a model back.</param>
/// <param name="unknownProducts">What becomes of a product neither configured nor trained on.</param>
/// <param name="defaultProduct">The product of pairs outside any product folder (<c>Ingest:DefaultProduct</c>): configured by naming it there.</param>
public sealed class ActiveModels(InspectorFactory factory, int failuresBeforeRollback, UnknownProducts unknownProducts = UnknownProducts.Review, string? defaultProduct = null) : IDisposable
{
    private string? _defaultModel;
    private IReadOnlyDictionary<string, ProductRoute> _routes = new Dictionary<string, ProductRoute>();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LoadedModel> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<ShadowRef, LoadedModel> _shadows = [];
    private readonly Dictionary<string, PairInspector> _inspectors = new(StringComparer.Ordinal);

    /// <summary>
    /// Held while the store's active version and this table change together (activation, rollback), so an
    /// automatic rollback on the worker's thread cannot interleave with a push being activated.
    /// </summary>
    public Lock SwitchGate { get; } = new();

    /// <summary>
    /// The model name products without their own route use. The bundled model's metadata names it, so it is known
    /// once the models have loaded at start (<see cref="NameDefault"/>), before the first pair.
    /// </summary>
    public string DefaultModel => _defaultModel ?? throw new InvalidOperationException("The models have not been loaded yet.");

    /// <summary>
    /// The default model as the heartbeat and the Sparkplug node name it: its name, version and provider, or its name
    /// with "none" before one is in service.
    /// </summary>
    public (string Name, string Version, string Provider) DefaultInService() =>
        Snapshot().TryGetValue(DefaultModel, out var model) ? (model.Name, model.Version, model.Model.Provider) : (DefaultModel, "none", "none");

    /// <summary>Names the default model, once, when the models load at start.</summary>
    public void NameDefault(string name)
    {
        if (Interlocked.CompareExchange(ref _defaultModel, name, null) is not null)
        {
            throw new InvalidOperationException("The default model is named once, at start.");
        }
    }

    /// <summary>Sets the products' routes as accepted at start (refused ones already replaced by their fallback).</summary>
    public void Route(IReadOnlyDictionary<string, ProductRoute> routes)
    {
        lock (_gate)
        {
            _routes = routes;
            _inspectors.Clear();
        }
    }

    /// <summary>
    /// The route of <paramref name="product"/>: its own models; else the default model alone when the product is configured,
    /// among the default model's trained products, or <see cref="UnknownProducts.DefaultModel"/> is chosen; else no model
    /// (<see cref="RouteSource.None"/>).
    /// </summary>
    public ProductRoute RouteOf(string product)
    {
        var route = _routes.GetValueOrDefault(product);
        if (route is { Models.Count: > 0 })
        {
            return route;
        }

        var source = factory.Products.ContainsKey(product) || product == defaultProduct ? RouteSource.Configured
            : DefaultTrainedOn(product) ? RouteSource.Trained
            : unknownProducts == UnknownProducts.DefaultModel ? RouteSource.Default
            : RouteSource.None;
        return new ProductRoute(source == RouteSource.None ? [] : [DefaultModel], null, route?.Shadow) { Source = source };
    }

    // The active default version's own list: a pushed default trained on more products routes them from its activation on.
    private bool DefaultTrainedOn(string product)
    {
        lock (_gate)
        {
            return _byName.GetValueOrDefault(DefaultModel)?.Model.Info.TrainedProducts.Contains(product, StringComparer.Ordinal) == true;
        }
    }

    /// <summary>Every model name some product routes to, the default first.</summary>
    public IReadOnlyList<string> RoutedNames() =>
        [.. new[] { DefaultModel }.Concat(_routes.Values.SelectMany(r => r.Models)).Distinct(StringComparer.Ordinal)];

    /// <summary>The loaded active models by name.</summary>
    public IReadOnlyDictionary<string, LoadedModel> Snapshot()
    {
        lock (_gate)
        {
            return new Dictionary<string, LoadedModel>(_byName, StringComparer.Ordinal);
        }
    }

    /// <summary>The loaded shadow models.</summary>
    public IReadOnlyDictionary<ShadowRef, LoadedModel> Shadows()
    {
        lock (_gate)
        {
            return new Dictionary<ShadowRef, LoadedModel>(_shadows);
        }
    }

    /// <summary>
    /// Leases on every model that judges <paramref name="product"/> (and its shadow, when loaded) with the inspector
    /// that runs them together; null when one of its models has no loaded active version.
    /// </summary>
    public PanelLease? Acquire(string product) => Acquire(RouteOf(product));

    /// <summary>
    /// A lease on the default model alone, for reading and checking the files of a pair no model will judge (a product
    /// not routed): unusable input is an ERROR whatever the product.
    /// </summary>
    public PanelLease? AcquireDefault() => Acquire(new ProductRoute([DefaultModel]));

    /// <summary>As <see cref="Acquire(string)"/>, for a route the caller already looked up with <see cref="RouteOf"/>; null for no route.</summary>
    public PanelLease? Acquire(ProductRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (route.Source == RouteSource.None)
        {
            return null;
        }

        while (true)
        {
            LoadedModel[] members;
            LoadedModel? shadow;
            lock (_gate)
            {
                members = [.. route.Models.Select(n => _byName.GetValueOrDefault(n)).OfType<LoadedModel>()];
                shadow = route.Shadow is { } s ? _shadows.GetValueOrDefault(s) : null;
            }

            if (members.Length != route.Models.Count)
            {
                return null;
            }

            var leases = new List<LoadedModel.Lease>(members.Length + 1);
            foreach (var model in members.Append(shadow).OfType<LoadedModel>())
            {
                if (model.TryAcquire() is { } lease)
                {
                    leases.Add(lease);
                }
            }

            // Retired between the lookup and the lease: the swap already put its successor in the table.
            if (leases.Count != members.Length + (shadow is null ? 0 : 1))
            {
                leases.ForEach(l => l.Dispose());
                continue;
            }

            return new PanelLease(InspectorFor(members, route, shadow), leases);
        }
    }

    /// <summary>
    /// Raised (on the inspection worker's thread, once per streak) when a model's inference failed
    /// <c>failuresBeforeRollback</c> times in a row: the activation service rolls it back.
    /// </summary>
    public event Action<LoadedModel>? KeepsFailing;

    /// <summary>Counts whether <paramref name="model"/>'s inference ran for a pair.</summary>
    public void ReportInference(LoadedModel model, bool succeeded)
    {
        ArgumentNullException.ThrowIfNull(model);
        // The count this report made, not a re-read: two lanes failing at once must not both step past the bound.
        if (model.RecordInference(succeeded) == failuresBeforeRollback && _byName.ContainsValue(model))
        {
            KeepsFailing?.Invoke(model);
        }
    }

    /// <summary>Makes <paramref name="model"/> the active one for its name; the one it replaces is retired (disposed once idle).</summary>
    public void Activate(LoadedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        LoadedModel? previous;
        lock (_gate)
        {
            previous = _byName.GetValueOrDefault(model.Name);
            _byName[model.Name] = model;
        }

        previous?.Retire();
    }

    /// <summary>Puts <paramref name="model"/> in service as the shadow <paramref name="shadow"/>, or takes it out (null).</summary>
    public void SetShadow(ShadowRef shadow, LoadedModel? model)
    {
        ArgumentNullException.ThrowIfNull(shadow);
        LoadedModel? previous;
        lock (_gate)
        {
            previous = _shadows.GetValueOrDefault(shadow);
            if (model is null)
            {
                _shadows.Remove(shadow);
            }
            else
            {
                _shadows[shadow] = model;
            }
        }

        if (!ReferenceEquals(previous, model))
        {
            previous?.Retire();
        }
    }

    /// <summary>Stops <paramref name="product"/>'s shadow (after its promotion); other products' use of the same shadow goes on.</summary>
    public void DropShadow(string product)
    {
        lock (_gate)
        {
            if (_routes.GetValueOrDefault(product) is { Shadow: not null } route)
            {
                _routes = new Dictionary<string, ProductRoute>(_routes, StringComparer.Ordinal) { [product] = route with { Shadow = null } };
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var model in _byName.Values.Concat(_shadows.Values))
            {
                model.Retire();
            }

            _byName.Clear();
            _shadows.Clear();
            _inspectors.Clear();
        }
    }

    // One inspector per route and set of loaded models, shared by the products on that route (their pairs batch
    // together); a swap of any of its models makes a new one for the next pair.
    private PairInspector InspectorFor(LoadedModel[] members, ProductRoute route, LoadedModel? shadow)
    {
        var key = $"{string.Join('|', route.Models)}/{route.Combine}/{route.Shadow}";
        lock (_gate)
        {
            if (_inspectors.TryGetValue(key, out var known) && known.Panel.Members.SequenceEqual(members) && ReferenceEquals(known.Panel.Shadow, shadow))
            {
                return known;
            }

            var inspector = factory.Create(new ModelPanel(members, route.Combine, shadow));
            _inspectors[key] = inspector;
            return inspector;
        }
    }

    /// <summary>Keeps a product's models alive while one pair is judged, with the inspector that runs them.</summary>
    public sealed class PanelLease(PairInspector inspector, IReadOnlyList<LoadedModel.Lease> leases) : IDisposable
    {
        /// <summary>The inspector for the leased models.</summary>
        public PairInspector Inspector { get; } = inspector;

        /// <summary>The models (the shadow last, when there is one).</summary>
        public ModelPanel Panel => Inspector.Panel;

        /// <inheritdoc/>
        public void Dispose()
        {
            foreach (var lease in leases)
            {
                lease.Dispose();
            }
        }
    }
}
