using System.Collections.Concurrent;
using System.Diagnostics;
using EdgeAgent.Align;
using EdgeAgent.Inference.Session;
using EdgeAgent.Ingest;
using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Score;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Crop;
using EdgeAgent.Vision.Decode;
using EdgeAgent.Vision.Heatmap;
using OpenCvSharp;

namespace EdgeAgent.Pipeline.Judge;

/// <summary>
/// Judges pairs: decode → align → crop (<see cref="Prepare"/>, thread-safe, run in parallel by the pipeline)
/// → infer a batch → score → verdict (<see cref="Judge(IReadOnlyList{PreparedPair})"/>, also thread-safe: each concurrent call takes a lane
/// of its own, pinned model buffers and a score map, made when first needed). Every way a pair can fail ends in
/// a verdict with a reason, never an exception. <see cref="Inspect(PairCandidate, bool)"/> does both for one pair.
/// </summary>
public sealed class PairInspector(
    StpmModel model,
    ImageFileReader reader,
    ImageAligner aligner,
    IReadOnlyDictionary<string, ProductSettings> products,
    StationIdentity station,
    VerdictIdGenerator ids,
    TimeProvider time,
    GoldenTemplates goldens,
    ModelRef? identity = null,
    int maxBatch = 1) : IDisposable
{
    // Idle lanes; a Judge call takes one (or makes one) and gives it back.
    private readonly ConcurrentStack<Lane> _lanes = new();

    // The store's name and version when the model came from it (what a technician pushed), else the ONNX metadata's.
    private readonly ModelRef _identity = identity ?? new ModelRef(model.Info.Name, model.Info.Version, model.Info.Sha256, model.Provider);
    private readonly ConcurrentDictionary<string, ScoreCalculator> _calculators = new(StringComparer.Ordinal);
    private float[] _lastFused = new float[model.Info.Input * model.Info.Input];

    /// <summary>Most pairs one <see cref="Judge(IReadOnlyList{PreparedPair})"/> call takes.</summary>
    public int MaxBatch { get; } = Math.Max(1, maxBatch);

    /// <summary>mask·A of the last scored pair (R×R) of the last <see cref="Judge(IReadOnlyList{PreparedPair})"/> call, for heatmaps in single-threaded use.</summary>
    public ReadOnlySpan<float> LastFusedMap => Volatile.Read(ref _lastFused);

    /// <summary>Judges <paramref name="pair"/>; <paramref name="align"/> false treats it as already registered.</summary>
    public Verdict Inspect(PairCandidate pair, bool align = true) => Inspect(pair, align, keepWarped: null);

    /// <summary>As <see cref="Inspect(PairCandidate, bool)"/>, also handing the warped centre crop (crop × crop) to <paramref name="keepWarped"/>.</summary>
    public Verdict Inspect(PairCandidate pair, bool align, Action<Mat>? keepWarped)
    {
        using var prepared = Prepare(pair, align, keepWarped);
        return Judge([prepared])[0];
    }

    /// <summary>
    /// Decodes, aligns and crops <paramref name="pair"/> into model-ready pixels, or decides its verdict already
    /// (ERROR for bad input, REVIEW when no reference can be trusted). Thread-safe: touches no shared scratch.
    /// </summary>
    public PreparedPair Prepare(PairCandidate pair, bool align = true, Action<Mat>? keepWarped = null)
    {
        ArgumentNullException.ThrowIfNull(pair);
        var prepared = new PreparedPair(pair);
        prepared.Verdict = PrepareInto(prepared, align, keepWarped);
        return prepared;
    }

    /// <summary>
    /// Runs the model once over every pair of <paramref name="batch"/> that is ready (at most <see cref="MaxBatch"/>)
    /// and scores each; returns the verdicts in the batch's order. Calls may overlap, each on its own lane.
    /// </summary>
    public IReadOnlyList<Verdict> Judge(IReadOnlyList<PreparedPair> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var lane = _lanes.TryPop(out var idle) ? idle : new Lane(model.CreateRunner(MaxBatch), new float[model.Info.Input * model.Info.Input]);
        try
        {
            return Judge(batch, lane);
        }
        finally
        {
            Volatile.Write(ref _lastFused, lane.Fused);
            _lanes.Push(lane);
        }
    }

    private Verdict[] Judge(IReadOnlyList<PreparedPair> batch, Lane lane)
    {
        var runner = lane.Runner;
        var ready = 0;
        foreach (var pair in batch.Where(p => p.Verdict is null))
        {
            pair.TemplateCrop.CopyTo(runner.TemplateSlot(ready));
            pair.ImageCrop.CopyTo(runner.ImageSlot(ready));
            ready++;
        }

        string? failure = null;
        var run = Stopwatch.StartNew();
        if (ready > 0)
        {
            try
            {
                runner.Run(ready);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failure = $"{e.GetType().Name}: {e.Message}";
            }
        }

        var inferMs = run.Elapsed.TotalMilliseconds;
        var verdicts = new Verdict[batch.Count];
        var slot = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var pair = batch[i];
            if (pair.Verdict is { } decided)
            {
                verdicts[i] = decided;
                continue;
            }

            pair.Draft.Infer = inferMs;
            verdicts[i] = failure is null
                ? Score(pair, runner.LayerMapsOf(slot), lane.Fused)
                : Finish(pair.Draft, VerdictKind.Review, ReasonCode.InferenceFailed, failure, pair.Clock);
            slot++;
        }

        return verdicts;
    }

    private Verdict? PrepareInto(PreparedPair prepared, bool align, Action<Mat>? keepWarped)
    {
        var (pair, draft, clock) = (prepared.Candidate, prepared.Draft, prepared.Clock);
        var golden = goldens.Covers(pair.Product);
        if (pair.TemplatePath is null && !golden)
        {
            return Finish(draft, VerdictKind.Error, ReasonCode.TemplateMissing, "no template arrived for this image", clock);
        }

        var (image, template) = golden ? ReadAgainstGolden(pair, draft) : ReadPair(pair);
        using var imageLease = image;
        using var templateLease = template;
        draft.ImageSha = image.Sha256;
        draft.TemplateSha = template.Sha256;
        draft.Decode = clock.Elapsed.TotalMilliseconds;
        if (image.Mat is null || template.Mat is null)
        {
            var failed = image.Mat is null ? image : template;
            // Not finding the image's place in the golden is doubt about the reference, not bad input.
            var kind = failed.Reason == ReasonCode.GoldenNotLocated ? VerdictKind.Review : VerdictKind.Error;
            return Finish(draft, kind, failed.Reason!, (image.Mat is null ? "image " : "template ") + failed.Detail, clock);
        }

        var size = image.Mat.Size();
        if (size != template.Mat.Size())
        {
            return Finish(draft, VerdictKind.Error, ReasonCode.SizeMismatch, $"image {size.Width}×{size.Height}, template {template.Mat.Width}×{template.Mat.Height}", clock);
        }

        int crop = model.Info.Crop;
        if (size.Width < crop || size.Height < crop)
        {
            return Finish(draft, VerdictKind.Error, ReasonCode.TooSmall, $"{size.Width}×{size.Height} is smaller than the model's {crop}×{crop} crop", clock);
        }

        var estimate = align ? aligner.Estimate(image.Mat, template.Mat) : new AlignmentEstimate(Alignment.Identity, true, null);
        draft.Alignment = estimate.Alignment;
        // Only the centre crop the model sees is resampled (the warp of a whole 600² image cost more than the crop).
        var window = CentreCrop.Window(size, crop);
        using var warped = align ? aligner.WarpWindowToTemplate(image.Mat, estimate.Alignment, window) : new Mat(image.Mat, window).Clone();
        draft.Align = clock.Elapsed.TotalMilliseconds - draft.Decode;
        keepWarped?.Invoke(warped);

        prepared.Rent(model.Info.Input);
        CentreCrop.CopyTo(template.Mat, crop, model.Info.Input, prepared.TemplateCrop);
        CentreCrop.CopyTo(warped, crop, model.Info.Input, prepared.ImageCrop);
        prepared.Size = size;
        prepared.Estimate = estimate;
        return null;
    }

    // Image and template decoded side by side: alone, a pair's latency; under load, one more work item each.
    private (DecodedImage Image, DecodedImage Template) ReadPair(PairCandidate pair)
    {
        DecodedImage? image = null, template = null;
        try
        {
            Parallel.Invoke(
                () => image = reader.Read(pair.ImagePath, ImreadModes.Color),
                () => template = reader.Read(pair.TemplatePath!, ImreadModes.Grayscale));
            return (image!, template!);
        }
        catch
        {
            image?.Dispose(); // the reader returns failures as results; this is for what it cannot (out of memory)
            template?.Dispose();
            throw;
        }
    }

    // The template is the golden image's area the image shows, so it waits for the image.
    private (DecodedImage Image, DecodedImage Template) ReadAgainstGolden(PairCandidate pair, Draft draft)
    {
        var image = reader.Read(pair.ImagePath, ImreadModes.Color);
        draft.Template = goldens.FileOf(pair.Product);
        var template = image.Mat is null ? DecodedImage.Failed(ReasonCode.DecodeFailed, "image not decoded") : goldens.TemplateFor(pair.Product, image.Mat);
        return (image, template);
    }

    private Verdict Score(PreparedPair prepared, ReadOnlySpan<float> maps, float[] fused)
    {
        var draft = prepared.Draft;
        var calculator = CalculatorFor(prepared.Candidate.Product);
        var clock = Stopwatch.StartNew();
        var result = calculator.Compute(maps, fused);
        draft.Score = result;
        draft.Threshold = calculator.Parameters.Threshold;
        draft.Peak = PeakOf(result, prepared.Size, prepared.Estimate!.Alignment);
        // The lane's map is overwritten by the next pair: keep the supervisors' compact copy now (a 64² area resize).
        prepared.Heatmap = new VerdictHeatmap(model.Info.Crop, HeatmapRenderer.Levels(fused, model.Info.Input, calculator.Parameters.Threshold));
        draft.ScoreMs = clock.Elapsed.TotalMilliseconds;
        if (!prepared.Estimate.Trusted)
        {
            return Finish(draft, VerdictKind.Review, ReasonCode.AlignmentUntrusted, prepared.Estimate.UntrustedReason, prepared.Clock);
        }

        return result.Score >= calculator.Parameters.Threshold
            ? Finish(draft, VerdictKind.Ng, ReasonCode.ScoreAboveThreshold, null, prepared.Clock)
            : Finish(draft, VerdictKind.Ok, null, null, prepared.Clock);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        while (_lanes.TryPop(out var lane))
        {
            lane.Runner.Dispose();
        }
    }

    private ScoreCalculator CalculatorFor(string product) => _calculators.GetOrAdd(product, p =>
        new ScoreCalculator(products.TryGetValue(p, out var settings) ? settings.Apply(model.Info.Scoring) : model.Info.Scoring, model.Info.Input));

    // The peak in the R×R map, back through the resize and crop into the template, then through the
    // inverse alignment into the AOI image, so people find the defect where the AOI called it.
    private Peak PeakOf(ScoreResult result, Size size, Alignment alignment)
    {
        double scale = (double)model.Info.Crop / model.Info.Input;
        var window = CentreCrop.Window(size, model.Info.Crop);
        double x = window.X + ((result.PeakX + 0.5) * scale) - 0.5;
        double y = window.Y + ((result.PeakY + 0.5) * scale) - 0.5;
        var (ix, iy) = alignment.TemplateToImage(x, y, AlignmentWarp.Centre(size.Width), AlignmentWarp.Centre(size.Height));
        return new Peak(Math.Round(x, 2), Math.Round(y, 2), Math.Round(ix, 2), Math.Round(iy, 2));
    }

    private Verdict Finish(Draft d, VerdictKind outcome, string? reason, string? detail, Stopwatch clock) => new()
    {
        Id = d.Pair.VerdictId.Length > 0 ? d.Pair.VerdictId : ids.Next(),
        Seq = 0,
        PairId = d.Pair.PairId,
        Trace = d.Pair.Trace,
        Product = d.Pair.Product,
        Image = new SourceFile(d.Pair.ImagePath, d.ImageSha),
        Template = d.Template ?? (d.Pair.TemplatePath is null ? null : new SourceFile(d.Pair.TemplatePath, d.TemplateSha)),
        Outcome = outcome,
        Reason = reason,
        Detail = detail,
        Score = d.Score?.Score,
        Threshold = d.Threshold,
        Layers = d.Score?.LayerMaxima,
        Peak = d.Peak,
        Model = _identity,
        Alignment = d.Alignment,
        TimingsMs = new Timings(Round(d.Decode), Round(d.Align), Round(d.Infer), Round(d.ScoreMs), Round(clock.Elapsed.TotalMilliseconds)),
        Station = station,
        JudgedAt = time.GetUtcNow(),
    };

    private static double Round(double ms) => Math.Round(ms, 3);

    /// <summary>What one concurrent <see cref="Judge(IReadOnlyList{PreparedPair})"/> call needs to itself: the model's pinned buffers and the score map.</summary>
    private sealed record Lane(StpmRunner Runner, float[] Fused);
}
