using EdgeAgent.Score;

namespace EdgeAgent.Pipeline.Judge;

/// <summary>
/// The models that judge a product's pairs: one, or several with the policy that combines their verdicts, and
/// optionally a shadow that judges beside them without a say.
/// </summary>
/// <param name="Members">The models in the product's order; the first is the one the verdict's /1 fields describe.</param>
/// <param name="Combine">How several members combine; null for one.</param>
/// <param name="Shadow">The shadow model, or null.</param>
public sealed record ModelPanel(IReadOnlyList<LoadedModel> Members, CombinePolicy? Combine = null, LoadedModel? Shadow = null)
{
    /// <summary>One model alone.</summary>
    public static ModelPanel Of(LoadedModel model) => new([model]);

    /// <summary>Every model the panel runs, the shadow last.</summary>
    public IEnumerable<LoadedModel> All => Shadow is null ? Members : Members.Append(Shadow);
}
