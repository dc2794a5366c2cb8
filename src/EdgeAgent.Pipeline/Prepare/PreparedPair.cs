using System.Buffers;
using System.Diagnostics;
using EdgeAgent.Align;
using EdgeAgent.Ingest;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Align;
using OpenCvSharp;

namespace EdgeAgent.Pipeline.Prepare;

/// <summary>
/// A pair between the prepare stage and inference: its model-ready crops, one set per crop geometry its models
/// use (pooled buffers, returned on dispose), or the verdict already decided when it never reaches a model (bad
/// input, no reference).
/// </summary>
public sealed class PreparedPair : IDisposable
{
    private readonly List<(Geometry Geometry, byte[] Template, byte[] Image)> _crops = [];

    internal PreparedPair(PairCandidate candidate)
    {
        Candidate = candidate;
        Draft = new Draft(candidate);
    }

    /// <summary>The pair as ingest found it.</summary>
    public PairCandidate Candidate { get; }

    /// <summary>Set when the pair's verdict is decided without the model.</summary>
    public Verdict? Verdict { get; internal set; }

    /// <summary>The compact anomaly maps of the models with a map, set once the pair is scored; they travel beside the verdict to the log.</summary>
    public IReadOnlyList<ModelHeatmap> Heatmaps { get; internal set; } = [];

    /// <summary>From the start of preparing to the verdict: the pair's time inside the agent.</summary>
    internal Stopwatch Clock { get; } = Stopwatch.StartNew();

    internal Draft Draft { get; }

    internal Size Size { get; set; }

    internal AlignmentEstimate? Estimate { get; set; }

    /// <summary>Gray template crop for <paramref name="geometry"/>, R×R.</summary>
    internal ReadOnlySpan<byte> TemplateCrop(Geometry geometry) => Crops(geometry).Template.AsSpan(0, geometry.Input * geometry.Input);

    /// <summary>Aligned BGR image crop for <paramref name="geometry"/>, R×R×3.</summary>
    internal ReadOnlySpan<byte> ImageCrop(Geometry geometry) => Crops(geometry).Image.AsSpan(0, geometry.Input * geometry.Input * 3);

    /// <summary>Rents the buffers of one geometry's crops, to be filled by the caller.</summary>
    internal (Memory<byte> Template, Memory<byte> Image) Rent(Geometry geometry)
    {
        int r = geometry.Input;
        var (template, image) = (ArrayPool<byte>.Shared.Rent(r * r), ArrayPool<byte>.Shared.Rent(r * r * 3));
        _crops.Add((geometry, template, image));
        return (template.AsMemory(0, r * r), image.AsMemory(0, r * r * 3));
    }

    private (Geometry Geometry, byte[] Template, byte[] Image) Crops(Geometry geometry) => _crops.Find(c => c.Geometry == geometry);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var (_, template, image) in _crops)
        {
            ArrayPool<byte>.Shared.Return(template);
            ArrayPool<byte>.Shared.Return(image);
        }

        _crops.Clear();
    }
}

/// <summary>A model's crop geometry: the centred C×C window, resized to R×R.</summary>
internal readonly record struct Geometry(int Crop, int Input);

/// <summary>What is known about a pair so far, filled in stage by stage.</summary>
internal sealed class Draft(PairCandidate pair)
{
    public PairCandidate Pair { get; } = pair;

    public string? ImageSha { get; set; }

    public string? TemplateSha { get; set; }

    /// <summary>Set when the template is a golden image's area rather than the paired file.</summary>
    public SourceFile? Template { get; set; }

    public Alignment? Alignment { get; set; }

    public Photometry? Photometry { get; set; }

    public double Decode { get; set; }

    public double Align { get; set; }

    public double Infer { get; set; }

    public double ScoreMs { get; set; }
}
