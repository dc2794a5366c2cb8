namespace EdgeAgent.Pipeline.Judge;

/// <summary>How products find their models (configuration section "Routing").</summary>
public sealed class RoutingOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string Section = "Routing";

    /// <summary>
    /// A product neither named under <c>Products</c> nor among the default model's trained products: <c>Review</c> (the
    /// default: REVIEW <c>PRODUCT_NOT_ROUTED</c>, because a model judging a product it never saw gives verdicts nobody can
    /// vouch for) or <c>DefaultModel</c> (judged by the default model, as before this option existed).
    /// </summary>
    public UnknownProducts UnknownProducts { get; set; } = UnknownProducts.Review;
}

/// <summary>What becomes of a product the configuration and the default model do not know.</summary>
public enum UnknownProducts
{
    /// <summary>REVIEW <c>PRODUCT_NOT_ROUTED</c>.</summary>
    Review,

    /// <summary>Judged by the default model; the verdict's <c>route</c> says <c>default</c>.</summary>
    DefaultModel,
}

/// <summary>How a product found its models; the verdict's <c>route</c> field.</summary>
public enum RouteSource
{
    /// <summary>Named under <c>Products</c> (its own models, or the default model with its own settings).</summary>
    Configured,

    /// <summary>Not configured, but among the default model's trained products.</summary>
    Trained,

    /// <summary>Unknown, judged by the default model because <c>Routing:UnknownProducts</c> is <c>DefaultModel</c>.</summary>
    Default,

    /// <summary>Unknown and not judged: REVIEW <c>PRODUCT_NOT_ROUTED</c>.</summary>
    None,
}
