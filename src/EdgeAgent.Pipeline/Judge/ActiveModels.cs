namespace EdgeAgent.Pipeline.Judge;

/// <summary>
/// The routing table: product → model name (configuration <c>Products:&lt;product&gt;:Model</c>, else the
/// default model) → the loaded active version of that model. Activation swaps an entry between two pairs:
/// a pair already leased finishes on the old model, the next one gets the new model.
/// </summary>
public sealed class ActiveModels(IReadOnlyDictionary<string, string> productRoutes, int failuresBeforeRollback) : IDisposable
{
    private string? _defaultModel;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LoadedModel> _byName = new(StringComparer.Ordinal);

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

    /// <summary>Names the default model, once, when the models load at start.</summary>
    public void NameDefault(string name)
    {
        if (Interlocked.CompareExchange(ref _defaultModel, name, null) is not null)
        {
            throw new InvalidOperationException("The default model is named once, at start.");
        }
    }

    /// <summary>The model name <paramref name="product"/> is judged by.</summary>
    public string RouteOf(string product) => productRoutes.TryGetValue(product, out var name) ? name : DefaultModel;

    /// <summary>Every model name some product routes to, the default first.</summary>
    public IReadOnlyList<string> RoutedNames() => [.. new[] { DefaultModel }.Concat(productRoutes.Values).Distinct(StringComparer.Ordinal)];

    /// <summary>The loaded models by name.</summary>
    public IReadOnlyDictionary<string, LoadedModel> Snapshot()
    {
        lock (_gate)
        {
            return new Dictionary<string, LoadedModel>(_byName, StringComparer.Ordinal);
        }
    }

    /// <summary>A lease on the model that judges <paramref name="product"/>, or null when none is loaded for its route.</summary>
    public LoadedModel.Lease? Acquire(string product)
    {
        var name = RouteOf(product);
        while (true)
        {
            LoadedModel? model;
            lock (_gate)
            {
                model = _byName.GetValueOrDefault(name);
            }

            if (model is null)
            {
                return null;
            }

            // Retired between the lookup and the lease: the swap already put its successor in the table.
            if (model.TryAcquire() is { } lease)
            {
                return lease;
            }
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
        if (model.RecordInference(succeeded) == failuresBeforeRollback)
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

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var model in _byName.Values)
            {
                model.Retire();
            }

            _byName.Clear();
        }
    }
}
