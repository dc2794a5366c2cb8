using System.Globalization;
using EdgeAgent.Score;

namespace EdgeAgent.Pipeline.Prepare;

/// <summary>
/// Per-product overrides of the model's scoring parameters (configuration section <c>Products</c>,
/// keyed by product name). Unset values fall back to the model's metadata.
/// </summary>
public sealed class ProductSettings
{
    /// <summary>The section name in configuration.</summary>
    public const string Section = "Products";

    /// <summary>Name of the model (in the model store) that judges this product; the default model when unset.</summary>
    public string? Model { get; set; }

    /// <summary>
    /// Several models (store names) that judge this product together, combined by <see cref="Combine"/>; when set it
    /// replaces <see cref="Model"/>, which stays the fallback should the combination be refused at start.
    /// </summary>
    public List<string> Models { get; set; } = [];

    /// <summary><c>any-ng</c> (the default), <c>all-ng</c>, <c>vote</c> or <c>gate</c>.</summary>
    public string? Combine { get; set; }

    /// <summary>A store model (name and version) that judges this product's pairs beside its models without a say.</summary>
    public ShadowSettings? Shadow { get; set; }

    /// <summary>
    /// Template source: a per-product golden image (gray or colour file) in which each suspect's area is
    /// located, instead of the paired <c>_template</c> file (the default, when unset).
    /// </summary>
    public string? GoldenImage { get; set; }

    /// <summary>
    /// What a pair beyond its model's out-of-distribution bound becomes: <c>Review</c> (the default: REVIEW
    /// <c>OUT_OF_DISTRIBUTION</c>) or <c>Flag</c> (the verdict stands; the verdict's <c>ood.beyond</c> says it).
    /// </summary>
    public OodPolicy OutOfDistribution { get; set; } = OodPolicy.Review;

    /// <summary>This product's out-of-distribution bound, replacing the one the models carry (<c>calibrate</c> proposes it).</summary>
    public double? OodBound { get; set; }

    /// <summary>NG threshold for this product.</summary>
    public double? Threshold { get; set; }

    /// <summary>
    /// The OK end of the product's uncertainty band: a score below it is OK, a score at or above the NG threshold is NG,
    /// a score between is REVIEW <c>UNCERTAIN</c>. Unset, the band is the one threshold (today's rule). For one model it
    /// is on the model's scale and needs <see cref="Threshold"/> (the band's NG end) beside it; for a combination of
    /// several <see cref="Models"/> it is on the combined score's scale, where every member's own threshold is 1.
    /// </summary>
    public double? ThresholdOk { get; set; }

    /// <summary>Whether <see cref="ThresholdOk"/> is on the combined score's scale (several models), not one model's.</summary>
    public bool BandOnCombinedScale => Models.Count(m => !string.IsNullOrWhiteSpace(m)) > 1;

    /// <summary>Mask as <c>none</c>, <c>centre:ρ</c> or <c>gaussian:σ</c>.</summary>
    public string? Mask { get; set; }

    /// <summary>Three layer weights, e.g. <c>0.5,1,0.5</c>.</summary>
    public string? LayerWeights { get; set; }

    /// <summary>Checks the band at start: <see cref="ThresholdOk"/> finite and at most its NG end.</summary>
    /// <exception cref="FormatException">The band is malformed; the message names the setting.</exception>
    public void CheckBand()
    {
        if (ThresholdOk is not { } ok)
        {
            return;
        }

        var c = CultureInfo.InvariantCulture;
        if (!double.IsFinite(ok))
        {
            throw new FormatException("ThresholdOk must be a finite number.");
        }

        if (BandOnCombinedScale)
        {
            if (ok is not (> 0 and <= 1))
            {
                throw new FormatException(string.Create(c, $"ThresholdOk {ok} of a combination is on the combined scale, where each model's own threshold is 1: it must lie in (0, 1]."));
            }
        }
        else if (Threshold is not { } ng)
        {
            throw new FormatException("ThresholdOk needs Threshold, the band's NG end, set beside it (calibrate --write sets both).");
        }
        else if (!(ok <= ng))
        {
            throw new FormatException(string.Create(c, $"ThresholdOk {ok} lies above Threshold {ng}: the band's OK end must be at most its NG end."));
        }
    }

    /// <summary>The model's parameters with this product's overrides applied; throws FormatException when malformed.</summary>
    public ScoreParameters Apply(ScoreParameters model) => new ScoreParameters(
        LayerWeights is null ? model.LayerWeights : [.. LayerWeights.Split(',').Select(w => double.Parse(w, NumberStyles.Float, CultureInfo.InvariantCulture))],
        Mask is null ? model.Mask : MaskSpec.Parse(Mask),
        Threshold ?? model.Threshold).Validated();
}

/// <summary>What a pair outside its model's training distribution becomes.</summary>
public enum OodPolicy
{
    /// <summary>REVIEW <c>OUT_OF_DISTRIBUTION</c>: the box does not vouch for a verdict its model cannot give.</summary>
    Review,

    /// <summary>The verdict stands; the distance and <c>beyond</c> are reported and counted.</summary>
    Flag,
}

/// <summary>Configuration <c>Products:&lt;p&gt;:Shadow</c>: the store model a product's shadow runs.</summary>
public sealed class ShadowSettings
{
    /// <summary>Store name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Store version (it need not be the active one).</summary>
    public string Version { get; set; } = "";
}
