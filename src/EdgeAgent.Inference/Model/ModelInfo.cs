using System.Globalization;
using EdgeAgent.Score;

namespace EdgeAgent.Inference.Model;

/// <summary>
/// What a model carries in its ONNX metadata (models/README.md, "Contracts"): kind, identity, geometry (crop C,
/// input R) and the decision rule's parameters. STPM models also carry padding, layer weights and mask
/// (<see cref="Scoring"/>); classifiers and pair segmenters with class scores their class names. The graph
/// facts (<see cref="UsesTemplate"/>, the outputs present) are filled in when the session's signature is checked.
/// </summary>
public sealed record ModelInfo(
    ModelKind Kind,
    string Name,
    string Version,
    string Arch,
    int Crop,
    int Input,
    double Threshold,
    string Sha256)
{
    /// <summary>The STPM contract; an STPM model without <c>edgeagent.kind</c> is read as kind <c>stpm</c>.</summary>
    public const string Contract = "stpm-maps/1";

    /// <summary>STPM: reflect padding P baked into the graph (informational).</summary>
    public int Pad { get; init; }

    /// <summary>STPM: layer weights, mask and threshold of the score definition; null for every other kind.</summary>
    public ScoreParameters? Scoring { get; init; }

    /// <summary>Pair segmentation: the smallest region (pixels of the R×R map) that counts; smaller ones are specks.</summary>
    public int MinArea { get; init; } = 1;

    /// <summary>Class names in output order (classifiers, pair segmenters with class scores).</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];

    /// <summary>The classes that mean NG.</summary>
    public IReadOnlyList<string> DefectClasses { get; init; } = [];

    /// <summary>MemSeg: <c>template</c> or <c>baked:N</c>.</summary>
    public string? Memory { get; init; }

    /// <summary>The graph takes the gray template beside the image.</summary>
    public bool UsesTemplate { get; init; }

    /// <summary>The graph outputs an anomaly map of this height and width (0 when it has none).</summary>
    public (int Height, int Width) MapSize { get; init; }

    /// <summary>The products whose pairs the model was trained on (<c>edgeagent.trained_products</c>); empty when it does not say.</summary>
    public IReadOnlyList<string> TrainedProducts { get; init; } = [];

    /// <summary>
    /// The out-of-distribution bound the exporter proposed (<c>edgeagent.ood_bound</c>): a pair whose template or image lies
    /// farther from the training pairs is outside what the model knows. Null when the model carries no bound.
    /// </summary>
    public double? OodBound { get; init; }

    /// <summary>The graph outputs <c>ood_distance</c> [N,2]: the template's and the image's distance to the training pairs.</summary>
    public bool HasOodDistance { get; init; }

    /// <summary>The STPM scoring parameters; throws for any other kind.</summary>
    public ScoreParameters StpmScoring => Scoring ?? throw new InvalidOperationException($"{Kind.Name()} models have no STPM scoring.");

    /// <summary>Reads and validates the metadata map.</summary>
    /// <exception cref="ModelContractException">A key is missing or malformed, or the kind is unknown.</exception>
    public static ModelInfo FromMetadata(IReadOnlyDictionary<string, string> metadata, string sha256)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        string? Optional(string key) => metadata.TryGetValue("edgeagent." + key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        string Get(string key) => Optional(key) ?? throw new ModelContractException($"Model metadata lacks 'edgeagent.{key}'.");
        int Int(string key, int min, int max) =>
            int.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                ? v
                : throw new ModelContractException($"Model metadata 'edgeagent.{key}' = '{Get(key)}' is not an integer in [{min}, {max}].");
        double Positive(string key) =>
            double.TryParse(Get(key), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v > 0
                ? v
                : throw new ModelContractException($"Model metadata 'edgeagent.{key}' = '{Get(key)}' is not a positive number.");
        IReadOnlyList<string> List(string key) => Optional(key) is { } text ? [.. text.Split(',').Select(c => c.Trim())] : [];

        var kindName = Optional("kind") ?? (Get("contract") == Contract ? ModelKind.Stpm.Name() : null)
            ?? throw new ModelContractException($"Model contract '{Get("contract")}' is not '{Contract}', and the metadata lacks 'edgeagent.kind' (one of {string.Join(", ", ModelKinds.All.Select(k => k.Name()))}).");
        var kind = ModelKinds.Parse(kindName)
            ?? throw new ModelContractException($"Model kind '{kindName}' is unknown; this agent runs {string.Join(", ", ModelKinds.All.Select(k => k.Name()))}.", reason: ModelContractException.UnknownKind);
        if (Get("contract") != kind.Contract())
        {
            throw new ModelContractException($"Model contract '{Get("contract")}' is not '{kind.Contract()}' (kind {kind.Name()}).");
        }

        try
        {
            var threshold = Positive("threshold");
            int input = Int("input", 16, 4096);
            int crop = Int("crop", 16, 8192);
            var info = new ModelInfo(kind, Get("name"), Get("version"), Optional("arch") ?? kind.Name(), crop, input, threshold, sha256)
            {
                TrainedProducts = List("trained_products"),
                OodBound = Optional("ood_bound") is null ? null : Positive("ood_bound"),
            };
            return kind switch
            {
                ModelKind.Stpm => info with
                {
                    Pad = Int("pad", 0, input / 2),
                    Scoring = new ScoreParameters(
                        [.. Get("layer_weights").Split(',').Select(w => double.Parse(w, NumberStyles.Float, CultureInfo.InvariantCulture))],
                        MaskSpec.Parse(Get("mask")),
                        threshold).Validated(),
                },
                ModelKind.Classifier or ModelKind.Pairseg => WithClasses(info with { MinArea = kind == ModelKind.Pairseg ? Int("min_area", 1, input * input) : 1 }, List("classes"), List("defect_classes"), required: kind == ModelKind.Classifier),
                ModelKind.Memseg => info with { Memory = Optional("memory") ?? "template" },
                _ => info,
            };
        }
        catch (FormatException e)
        {
            throw new ModelContractException($"Model metadata is malformed: {e.Message}", e);
        }
    }

    private static ModelInfo WithClasses(ModelInfo info, IReadOnlyList<string> classes, IReadOnlyList<string> defects, bool required)
    {
        if (classes.Count == 0 && !required && defects.Count == 0)
        {
            return info;
        }

        if (classes.Count < 2 || classes.Distinct(StringComparer.Ordinal).Count() != classes.Count || classes.Any(string.IsNullOrEmpty))
        {
            throw new ModelContractException($"Model metadata 'edgeagent.classes' must list at least two distinct class names; it is '{string.Join(",", classes)}'.", reason: ModelContractException.ClassMismatch);
        }

        if (defects.Count == 0 || defects.Any(d => !classes.Contains(d)) || defects.Count >= classes.Count)
        {
            throw new ModelContractException($"Model metadata 'edgeagent.defect_classes' = '{string.Join(",", defects)}' must be a non-empty proper subset of the classes {string.Join(",", classes)}.", reason: ModelContractException.ClassMismatch);
        }

        return info with { Classes = classes, DefectClasses = defects };
    }
}
