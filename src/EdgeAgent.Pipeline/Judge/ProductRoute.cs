using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Score;

namespace EdgeAgent.Pipeline.Judge;

/// <summary>Which models judge a product and how: the members (store names, in order), their policy, the shadow.</summary>
public sealed record ProductRoute(IReadOnlyList<string> Models, CombinePolicy? Combine = null, ShadowRef? Shadow = null)
{
    /// <summary>How the product found these models.</summary>
    public RouteSource Source { get; init; } = RouteSource.Configured;

    /// <summary>The verdict's <c>route</c> value: <c>configured</c>, <c>trained</c>, <c>default</c> or <c>none</c>.</summary>
    public string SourceName => Source.ToString().ToLowerInvariant();

    /// <summary>The route a product's settings configure, before the store is consulted; null when they name no model.</summary>
    /// <exception cref="FormatException">An unknown combination policy, or a shadow without name or version.</exception>
    public static ProductRoute? From(ProductSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var models = settings.Models.Where(m => !string.IsNullOrWhiteSpace(m)).Select(m => m.Trim()).ToList();
        if (models.Count == 0 && !string.IsNullOrWhiteSpace(settings.Model))
        {
            models.Add(settings.Model.Trim());
        }

        var combine = settings.Combine is null ? (CombinePolicy?)null
            : Combination.Parse(settings.Combine) ?? throw new FormatException($"Combine '{settings.Combine}' is not one of any-ng, all-ng, vote, gate.");
        if (models.Distinct(StringComparer.Ordinal).Count() != models.Count)
        {
            throw new FormatException($"Models lists a model twice ({string.Join(", ", models)}).");
        }

        ShadowRef? shadow = null;
        if (settings.Shadow is { } s)
        {
            shadow = string.IsNullOrWhiteSpace(s.Name) || string.IsNullOrWhiteSpace(s.Version)
                ? throw new FormatException("Shadow needs both Name and Version.")
                : new ShadowRef(s.Name.Trim(), s.Version.Trim());
        }

        return models.Count == 0 && shadow is null ? null : new ProductRoute(models, models.Count > 1 ? combine ?? CombinePolicy.AnyNg : null, shadow);
    }
}

/// <summary>A store model version that runs as a shadow.</summary>
public sealed record ShadowRef(string Name, string Version)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Version}";
}
