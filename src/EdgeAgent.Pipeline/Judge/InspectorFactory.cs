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

    /// <summary>Most pairs one model run takes (the pipeline's <c>MaxBatch</c>).</summary>
    public int MaxBatch => Math.Max(1, maxBatch);

    /// <summary>An inspector that judges with <paramref name="panel"/>, borrowing runners from its models.</summary>
    public PairInspector Create(ModelPanel panel) =>
        new(panel, new ImageFileReader(decodeLimits), new ImageAligner(alignment), products, station, ids, time, goldens ?? GoldenTemplates.None);

    /// <summary>A model loaded from the store, wrapped with runners for batches of up to <see cref="MaxBatch"/>.</summary>
    public LoadedModel Wrap(OnnxModel model, string name, string version, string sha256) => new(name, version, model, MaxBatch, sha256);

    /// <summary>
    /// An inspector on <paramref name="model"/> alone (tools, tests), labelled with its metadata's name and version;
    /// disposing it frees its runner buffers, the caller disposes the model.
    /// </summary>
    public PairInspector Create(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new(ModelPanel.Of(new LoadedModel(model.Info.Name, model.Info.Version, model, MaxBatch)), new ImageFileReader(decodeLimits), new ImageAligner(alignment),
            products, station, ids, time, goldens ?? GoldenTemplates.None, ownsRunners: true);
    }
}
