namespace EdgeAgent.Inference.Model;

/// <summary>The model families of the research the agent runs (metadata <c>edgeagent.kind</c>).</summary>
public enum ModelKind
{
    /// <summary>Student–teacher layer maps, teacher = template (<c>stpm-maps/1</c>).</summary>
    Stpm,

    /// <summary>Pair segmentation: image + template → defect probability map (<c>pairseg-map/1</c>).</summary>
    Pairseg,

    /// <summary>Image (and template) → class probabilities (<c>classifier-probs/1</c>).</summary>
    Classifier,

    /// <summary>CutPaste embedding → Mahalanobis score against normal embeddings (<c>density-score/1</c>).</summary>
    Density,

    /// <summary>MemSeg: image against a memory of normal features → anomaly map (<c>memseg-map/1</c>).</summary>
    Memseg,
}

/// <summary>The wire names of <see cref="ModelKind"/> and the contract each kind speaks.</summary>
public static class ModelKinds
{
    /// <summary>Every kind, in the order the README lists them.</summary>
    public static IReadOnlyList<ModelKind> All { get; } = Enum.GetValues<ModelKind>();

    /// <summary>The metadata and payload name: <c>stpm</c>, <c>pairseg</c>, …</summary>
    public static string Name(this ModelKind kind) => kind switch
    {
        ModelKind.Stpm => "stpm",
        ModelKind.Pairseg => "pairseg",
        ModelKind.Classifier => "classifier",
        ModelKind.Density => "density",
        _ => "memseg",
    };

    /// <summary>The ONNX contract a model of <paramref name="kind"/> declares in <c>edgeagent.contract</c>.</summary>
    public static string Contract(this ModelKind kind) => kind switch
    {
        ModelKind.Stpm => "stpm-maps/1",
        ModelKind.Pairseg => "pairseg-map/1",
        ModelKind.Classifier => "classifier-probs/1",
        ModelKind.Density => "density-score/1",
        _ => "memseg-map/1",
    };

    /// <summary>The kind named <paramref name="name"/>, or null.</summary>
    public static ModelKind? Parse(string name) => All.Cast<ModelKind?>().FirstOrDefault(k => k!.Value.Name() == name);
}
