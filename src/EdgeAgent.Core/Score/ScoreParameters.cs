namespace EdgeAgent.Score;

/// <summary>
/// The scoring parameters that travel with a model and that a box may override per product:
/// layer weights w_1..w_3, the mask, and the NG threshold.
/// </summary>
public sealed record ScoreParameters(IReadOnlyList<double> LayerWeights, MaskSpec Mask, double Threshold)
{
    /// <summary>Number of feature layers in the contract (ResNet stages 1..3).</summary>
    public const int LayerCount = 3;

    /// <summary>Throws when the parameters cannot define a score.</summary>
    public ScoreParameters Validated()
    {
        if (LayerWeights.Count != LayerCount || LayerWeights.Any(w => !double.IsFinite(w) || w < 0) || LayerWeights.All(w => w == 0))
        {
            throw new FormatException($"Layer weights must be {LayerCount} finite, non-negative numbers, not all zero; got [{string.Join(", ", LayerWeights)}].");
        }

        return double.IsFinite(Threshold) && Threshold > 0
            ? this
            : throw new FormatException($"Threshold must be a positive number; got {Threshold}.");
    }
}
