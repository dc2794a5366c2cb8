using System.Text.Json.Serialization;
using EdgeAgent.Align;

namespace EdgeAgent.Verdicts;

/// <summary>
/// The published and logged result for one pair: schema <c>edgeagent.verdict/4</c>. Every field of <c>/1</c> is
/// still there and means the same for a product judged by one model; <c>/2</c> added <see cref="Models"/>,
/// <see cref="Combine"/> and <see cref="Shadow"/>; <c>/3</c> adds <see cref="Route"/>, <see cref="Ood"/> (and each
/// model's <c>ood</c>) and <see cref="Photometry"/>; <c>/4</c> adds <see cref="Band"/>. Renaming a property breaks consumers; the schema snapshot tests guard it.
/// </summary>
public sealed record Verdict
{
    /// <summary>The schema this agent writes.</summary>
    public const string CurrentSchema = "edgeagent.verdict/4";

    /// <summary>Schema name and version of this payload.</summary>
    public string Schema { get; init; } = CurrentSchema;

    /// <summary>ULID: unique, sortable, never changes on re-delivery. Consumers de-duplicate on it.</summary>
    public required string Id { get; init; }

    /// <summary>Per-box sequence number, strictly increasing in judgement order.</summary>
    public required long Seq { get; init; }

    /// <summary>The AOI's pair id (file name stem without the role suffix).</summary>
    public required string PairId { get; init; }

    /// <summary>Product, from the sub-folder name or the configured default.</summary>
    public required string Product { get; init; }

    /// <summary>What the AOI's names tell about lot, strip, unit, die (from the configured trace pattern).</summary>
    public IReadOnlyDictionary<string, string> Trace { get; init; } = new Dictionary<string, string>();

    /// <summary>The inspected colour image.</summary>
    public required SourceFile Image { get; init; }

    /// <summary>The gray template; null when it never arrived.</summary>
    public SourceFile? Template { get; init; }

    /// <summary>OK, NG, REVIEW or ERROR.</summary>
    [JsonPropertyName("verdict")]
    [JsonConverter(typeof(JsonStringEnumConverter<VerdictKind>))]
    public required VerdictKind Outcome { get; init; }

    /// <summary>Reason code (see <see cref="ReasonCode"/>); null only for OK.</summary>
    public string? Reason { get; init; }

    /// <summary>Human-readable detail for the reason.</summary>
    public string? Detail { get; init; }

    /// <summary>
    /// Image score: the model's own score when one model judges the product (STPM: max of mask·fused map); for a
    /// combination the combined score on the common scale (each model's score over its threshold, threshold 1).
    /// Null when no model ran.
    /// </summary>
    public double? Score { get; init; }

    /// <summary>Threshold in force for this product and model; 1 for a combination.</summary>
    public double? Threshold { get; init; }

    /// <summary>Per-layer maxima of mask·d_l for layers 1..3 (the product's first model, when it is STPM).</summary>
    public IReadOnlyList<double>? Layers { get; init; }

    /// <summary>Where the first model's map peaks, in template and in AOI image coordinates (models with a map).</summary>
    public Peak? Peak { get; init; }

    /// <summary>The model that judged the pair (the product's first model when several do).</summary>
    public ModelRef? Model { get; init; }

    /// <summary>How the models' verdicts were combined (<c>any-ng</c>, <c>all-ng</c>, <c>vote</c>, <c>gate</c>); null for one model.</summary>
    public string? Combine { get; init; }

    /// <summary>Every model that judged the pair, in the product's order, each with its own score and verdict.</summary>
    public IReadOnlyList<ModelVerdict>? Models { get; init; }

    /// <summary>The shadow model's judgement of the same pair; it never changes <see cref="Outcome"/>.</summary>
    public ModelVerdict? Shadow { get; init; }

    /// <summary>The alignment used (identity when the pair was declared registered).</summary>
    public Alignment? Alignment { get; init; }

    /// <summary>
    /// How the product found its models: <c>configured</c> (named in <c>Products</c>), <c>trained</c> (the default model
    /// was trained on it), <c>default</c> (unknown product, judged by the default model by opt-in) or <c>none</c>
    /// (<see cref="ReasonCode.ProductNotRouted"/>). Null in verdicts decided before routing (bad input, given up).
    /// </summary>
    public string? Route { get; init; }

    /// <summary>How far the pair lies from what the model was trained on (the member beyond its bound, else the first model that says); null when no model says.</summary>
    public OodReading? Ood { get; init; }

    /// <summary>The aligned image crop's lighting against the template crop; null when the pair was not prepared.</summary>
    public Photometry? Photometry { get; init; }

    /// <summary>
    /// The band the score was decided on, on <see cref="Score"/>'s scale: OK below <c>ok</c>, NG at or above <c>ng</c>
    /// (= <see cref="Threshold"/>), REVIEW <see cref="ReasonCode.Uncertain"/> between. <c>ok</c> = <c>ng</c> for a product
    /// with one threshold. Null when no score was decided.
    /// </summary>
    public ScoreBand? Band { get; init; }

    /// <summary>Milliseconds spent per stage.</summary>
    public required Timings TimingsMs { get; init; }

    /// <summary>The box that judged it.</summary>
    public required StationIdentity Station { get; init; }

    /// <summary>When the verdict was decided (UTC).</summary>
    public required DateTimeOffset JudgedAt { get; init; }
}

/// <summary>
/// A model's distance of the pair's template and image to its training pairs (about 1 for pairs like them), the
/// bound in force, and whether the template lies beyond it (the image's distance is reported, not judged: a large
/// defect moves it too).
/// </summary>
public sealed record OodReading(double Template, double Image, double? Bound, bool Beyond);

/// <summary>
/// The aligned image's lighting against its template, over the first model's centre crop: brightness is the ratio of
/// their mean gray levels, contrast the ratio of their standard deviations (both about 1 when the camera sees what the
/// template shows). A slowly aging lamp or a changed exposure moves them long before it moves the scores.
/// </summary>
public sealed record Photometry(double Brightness, double Contrast);

/// <summary>A product's two thresholds on a verdict's score scale: OK below <paramref name="Ok"/>, NG at or above <paramref name="Ng"/>, REVIEW between.</summary>
public sealed record ScoreBand(double Ok, double Ng);

/// <summary>An input file and the SHA-256 of the bytes that were judged.</summary>
public sealed record SourceFile(string Path, string? Sha256);

/// <summary>The model that produced a score, and the execution provider it ran on.</summary>
public sealed record ModelRef(string Name, string Version, string Sha256, string Provider);

/// <summary>The location of the score's maximum.</summary>
/// <param name="X">Template-frame x (pixels, full-size template).</param>
/// <param name="Y">Template-frame y.</param>
/// <param name="ImageX">The same point in the AOI image's own coordinates (inverse alignment).</param>
/// <param name="ImageY">See <paramref name="ImageX"/>.</param>
public sealed record Peak(double X, double Y, double ImageX, double ImageY);

/// <summary>Per-stage timings in milliseconds.</summary>
public sealed record Timings(double Decode, double Align, double Infer, double Score, double Total);

/// <summary>Unified-namespace identity of the box.</summary>
public sealed record StationIdentity(string Site, string Area, string Line, string Station);

/// <summary>One model's judgement of a pair inside a <see cref="Verdict"/>.</summary>
public sealed record ModelVerdict
{
    /// <summary><c>stpm</c>, <c>pairseg</c>, <c>classifier</c>, <c>density</c> or <c>memseg</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Store name.</summary>
    public required string Name { get; init; }

    /// <summary>Store version.</summary>
    public required string Version { get; init; }

    /// <summary>SHA-256 of the ONNX file.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The model's score; null when it failed or was skipped.</summary>
    public double? Score { get; init; }

    /// <summary>Its threshold (NG iff score ≥ threshold).</summary>
    public required double Threshold { get; init; }

    /// <summary>Its own verdict: OK or NG, REVIEW when it failed.</summary>
    [JsonPropertyName("verdict")]
    [JsonConverter(typeof(JsonStringEnumConverter<VerdictKind>))]
    public required VerdictKind Outcome { get; init; }

    /// <summary>Reason code of a non-OK member verdict.</summary>
    public string? Reason { get; init; }

    /// <summary>Detail of a failure.</summary>
    public string? Detail { get; init; }

    /// <summary>Milliseconds of the model run this pair was part of.</summary>
    public double InferMs { get; init; }

    /// <summary>STPM: per-layer maxima.</summary>
    public IReadOnlyList<double>? Layers { get; init; }

    /// <summary>Models with a map: where it peaks.</summary>
    public Peak? Peak { get; init; }

    /// <summary>Pair segmentation: the defect regions, largest first.</summary>
    public IReadOnlyList<DefectRegion>? Regions { get; init; }

    /// <summary>Classifiers (and pair segmenters with class scores): the top classes, most probable first.</summary>
    public IReadOnlyList<ClassScore>? Classes { get; init; }

    /// <summary>Models that carry their training distribution: how far this pair lies from it.</summary>
    public OodReading? Ood { get; init; }
}

/// <summary>A defect region: where it lies in the template and in the AOI image, its size, peak probability and class.</summary>
/// <param name="Template">Bounding box in full-size template pixels.</param>
/// <param name="Image">The same box through the inverse alignment, in the AOI image's own pixels.</param>
/// <param name="Area">Area in template pixels.</param>
/// <param name="Max">Highest probability inside.</param>
/// <param name="Class">The most probable defect class, when the model names classes.</param>
public sealed record DefectRegion(Box Template, Box Image, int Area, double Max, string? Class);

/// <summary>An axis-aligned box in pixels.</summary>
public sealed record Box(double X, double Y, double Width, double Height);

/// <summary>A class and its probability.</summary>
public sealed record ClassScore(string Name, double P);
