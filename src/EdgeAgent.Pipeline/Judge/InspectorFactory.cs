using EdgeAgent.Inference.Session;
using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Decode;

namespace EdgeAgent.Pipeline.Judge;

/// <summary>
/// Everything a <see cref="PairInspector"/> needs besides its model, so the service, the canary, the verbs
/// and the tests all judge pairs exactly the same way.
/// </summary>
public sealed class InspectorFactory(
    DecodeLimits decodeLimits,
    AlignmentOptions alignment,
    IReadOnlyDictionary<string, ProductSettings> products,
    StationIdentity station,
    VerdictIdGenerator ids,
    TimeProvider time,
    GoldenTemplates? goldens = null,
    int maxBatch = 1)
{
    /// <summary>The per-product settings every inspector applies.</summary>
    public IReadOnlyDictionary<string, ProductSettings> Products => products;

    /// <summary>The products whose template comes from a golden image.</summary>
    public GoldenTemplates Goldens => goldens ?? GoldenTemplates.None;

    /// <summary>An inspector (with its own runner buffers for batches of up to the pipeline's maximum) on <paramref name="model"/>, labelled <paramref name="identity"/> when it came from the store.</summary>
    public PairInspector Create(StpmModel model, ModelRef? identity = null) =>
        new(model, new ImageFileReader(decodeLimits), new ImageAligner(alignment), products, station, ids, time, goldens ?? GoldenTemplates.None, identity, maxBatch);
}
