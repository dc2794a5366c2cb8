using System.Buffers;
using System.Diagnostics;
using EdgeAgent.Align;
using EdgeAgent.Ingest;
using EdgeAgent.Score;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Align;
using OpenCvSharp;

namespace EdgeAgent.Pipeline.Prepare;

/// <summary>
/// A pair between the prepare stage and inference: its model-ready crops (pooled buffers, returned on
/// dispose), or the verdict already decided when it never reaches the model (bad input, no reference).
/// </summary>
public sealed class PreparedPair : IDisposable
{
    private byte[]? _template;
    private byte[]? _image;
    private int _side;

    internal PreparedPair(PairCandidate candidate)
    {
        Candidate = candidate;
        Draft = new Draft(candidate);
    }

    /// <summary>The pair as ingest found it.</summary>
    public PairCandidate Candidate { get; }

    /// <summary>Set when the pair's verdict is decided without the model.</summary>
    public Verdict? Verdict { get; internal set; }

    /// <summary>The compact anomaly map, set once the pair is scored; it travels beside the verdict to the log.</summary>
    public VerdictHeatmap? Heatmap { get; internal set; }

    /// <summary>From the start of preparing to the verdict: the pair's time inside the agent.</summary>
    internal Stopwatch Clock { get; } = Stopwatch.StartNew();

    internal Draft Draft { get; }

    internal Size Size { get; set; }

    internal AlignmentEstimate? Estimate { get; set; }

    /// <summary>Gray template crop, R×R.</summary>
    internal Span<byte> TemplateCrop => _template.AsSpan(0, _side * _side);

    /// <summary>Aligned BGR image crop, R×R×3.</summary>
    internal Span<byte> ImageCrop => _image.AsSpan(0, _side * _side * 3);

    internal void Rent(int side)
    {
        _side = side;
        _template = ArrayPool<byte>.Shared.Rent(side * side);
        _image = ArrayPool<byte>.Shared.Rent(side * side * 3);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_template is not null)
        {
            ArrayPool<byte>.Shared.Return(_template);
            _template = null;
        }

        if (_image is not null)
        {
            ArrayPool<byte>.Shared.Return(_image);
            _image = null;
        }
    }
}

/// <summary>What is known about a pair so far, filled in stage by stage.</summary>
internal sealed class Draft(PairCandidate pair)
{
    public PairCandidate Pair { get; } = pair;

    public string? ImageSha { get; set; }

    public string? TemplateSha { get; set; }

    /// <summary>Set when the template is a golden image's area rather than the paired file.</summary>
    public SourceFile? Template { get; set; }

    public Alignment? Alignment { get; set; }

    public ScoreResult? Score { get; set; }

    public double? Threshold { get; set; }

    public Peak? Peak { get; set; }

    public double Decode { get; set; }

    public double Align { get; set; }

    public double Infer { get; set; }

    public double ScoreMs { get; set; }
}
