using System.Text.Json.Serialization;
using EdgeAgent.Align;

namespace EdgeAgent.Verdicts;

/// <summary>
/// The published and logged result for one pair: schema <c>edgeagent.verdict/1</c>.
/// Renaming a property breaks consumers; the schema snapshot test guards it.
/// </summary>
public sealed record Verdict
{
    /// <summary>Schema name and version of this payload.</summary>
    public string Schema { get; init; } = "edgeagent.verdict/1";

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

    /// <summary>Image score (max of mask·fused map); null when the model did not run.</summary>
    public double? Score { get; init; }

    /// <summary>Threshold in force for this product and model.</summary>
    public double? Threshold { get; init; }

    /// <summary>Per-layer maxima of mask·d_l for layers 1..3.</summary>
    public IReadOnlyList<double>? Layers { get; init; }

    /// <summary>Where the score's maximum lies, in template and in AOI image coordinates.</summary>
    public Peak? Peak { get; init; }

    /// <summary>The model that judged the pair.</summary>
    public ModelRef? Model { get; init; }

    /// <summary>The alignment used (identity when the pair was declared registered).</summary>
    public Alignment? Alignment { get; init; }

    /// <summary>Milliseconds spent per stage.</summary>
    public required Timings TimingsMs { get; init; }

    /// <summary>The box that judged it.</summary>
    public required StationIdentity Station { get; init; }

    /// <summary>When the verdict was decided (UTC).</summary>
    public required DateTimeOffset JudgedAt { get; init; }
}

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
