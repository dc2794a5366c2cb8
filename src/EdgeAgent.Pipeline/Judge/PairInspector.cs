using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using EdgeAgent.Align;
using EdgeAgent.Drift;
using EdgeAgent.Inference.Model;
using EdgeAgent.Ingest;
using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Score;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Crop;
using EdgeAgent.Vision.Decode;
using OpenCvSharp;

namespace EdgeAgent.Pipeline.Judge;

/// <summary>
/// Judges pairs with a <see cref="ModelPanel"/>: decode → align → crop (<see cref="Prepare"/>, thread-safe, run in
/// parallel by the pipeline; one decode and one alignment serve every model of the pair, each model gets the crop
/// geometry it declares) → run each model over the batch → each kind's decision rule → the combination → verdict
/// (<see cref="Judge(IReadOnlyList{PreparedPair}, bool)"/>, also thread-safe: each call borrows runners from the
/// models). A model that fails makes the pair REVIEW, never OK. The rules in order: bad input (ERROR) → a model failed
/// (INFERENCE_FAILED) → alignment untrusted → out of distribution → the product's uncertainty band (UNCERTAIN) → NG/OK. The shadow, when there is one and the caller has
/// room for it, judges beside the members and never changes the verdict. Every way a pair can fail ends in a
/// verdict with a reason, never an exception. <see cref="Inspect(PairCandidate, bool)"/> does both for one pair.
/// </summary>
public sealed class PairInspector(
    ModelPanel panel,
    ImageFileReader reader,
    ImageAligner aligner,
    IReadOnlyDictionary<string, ProductSettings> products,
    StationIdentity station,
    VerdictIdGenerator ids,
    TimeProvider time,
    GoldenTemplates goldens,
    bool ownsRunners = false) : IDisposable
{
    private readonly ConcurrentDictionary<(string Product, LoadedModel Model), ScoreCalculator> _calculators = new();
    private readonly int _largestCrop = panel.All.Max(m => m.Model.Info.Crop);
    private float[] _lastFused = [];

    /// <summary>The models this inspector runs.</summary>
    public ModelPanel Panel => panel;

    /// <summary>Most pairs one <see cref="Judge(IReadOnlyList{PreparedPair}, bool)"/> call takes.</summary>
    public int MaxBatch { get; } = panel.All.Min(m => m.MaxBatch);

    /// <summary>Keep a copy of the first model's map of the last scored pair in <see cref="LastFusedMap"/> (offline heatmaps; off in the service, where it would copy a map per pair).</summary>
    public bool KeepLastMap { get; set; }

    /// <summary>The first model's R×R map (mask·A for STPM, the probability or anomaly map otherwise) of the last scored pair, when <see cref="KeepLastMap"/>; empty for a model without an R×R map.</summary>
    public ReadOnlySpan<float> LastFusedMap => Volatile.Read(ref _lastFused);

    /// <summary>Judges <paramref name="pair"/>; <paramref name="align"/> false treats it as already registered.</summary>
    public Verdict Inspect(PairCandidate pair, bool align = true) => Inspect(pair, align, keepWarped: null);

    /// <summary>As <see cref="Inspect(PairCandidate, bool)"/>, also handing the warped centre crop (largest crop of the panel) to <paramref name="keepWarped"/>.</summary>
    public Verdict Inspect(PairCandidate pair, bool align, Action<Mat>? keepWarped)
    {
        using var prepared = Prepare(pair, align, keepWarped);
        return Judge([prepared], withShadow: true)[0];
    }

    /// <summary>
    /// Decodes, aligns and crops <paramref name="pair"/> into model-ready pixels for every model of the panel, or
    /// decides its verdict already (ERROR for bad input, REVIEW when no reference can be trusted). Thread-safe.
    /// </summary>
    public PreparedPair Prepare(PairCandidate pair, bool align = true, Action<Mat>? keepWarped = null)
    {
        ArgumentNullException.ThrowIfNull(pair);
        var prepared = new PreparedPair(pair);
        prepared.Verdict = PrepareInto(prepared, align, keepWarped);
        return prepared;
    }

    /// <summary>
    /// Runs every model once over the pairs of <paramref name="batch"/> that are ready (at most <see cref="MaxBatch"/>),
    /// the shadow too when <paramref name="withShadow"/>, and decides each pair; returns the verdicts in the batch's order.
    /// </summary>
    public IReadOnlyList<Verdict> Judge(IReadOnlyList<PreparedPair> batch, bool withShadow = true)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var ready = batch.Where(p => p.Verdict is null).ToList();
        var members = panel.Members.Select(m => Run(m, ready)).ToList();
        var shadow = withShadow && panel.Shadow is { } s && ready.Count > 0 ? Run(s, ready) : null;
        var verdicts = new Verdict[batch.Count];
        for (int i = 0, slot = 0; i < batch.Count; i++)
        {
            var pair = batch[i];
            if (pair.Verdict is { } decided)
            {
                verdicts[i] = decided;
                continue;
            }

            verdicts[i] = Decide(pair, members, slot, shadow);
            slot++;
        }

        return verdicts;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (ownsRunners)
        {
            foreach (var model in panel.All)
            {
                model.ReleaseRunners();
            }
        }
    }

    // One model over the ready pairs of a batch: its readings (null per pair when the run failed) and the run's time.
    private ModelRun Run(LoadedModel model, List<PreparedPair> ready)
    {
        var info = model.Model.Info;
        var readings = new ModelReading?[ready.Count];
        if (ready.Count == 0)
        {
            return new ModelRun(model, readings, 0, 0, null);
        }

        var geometry = new Geometry(info.Crop, info.Input);
        var runner = model.Rent();
        var clock = Stopwatch.StartNew();
        try
        {
            for (int slot = 0; slot < ready.Count; slot++)
            {
                if (info.UsesTemplate)
                {
                    ready[slot].TemplateCrop(geometry).CopyTo(runner.TemplateSlot(slot));
                }

                ready[slot].ImageCrop(geometry).CopyTo(runner.ImageSlot(slot));
            }

            runner.Run(ready.Count);
            var ms = clock.Elapsed.TotalMilliseconds;
            var scratch = ArrayPool<float>.Shared.Rent(info.Input * info.Input);
            try
            {
                for (int slot = 0; slot < ready.Count; slot++)
                {
                    var product = ready[slot].Candidate.Product;
                    var calculator = info.Kind == ModelKind.Stpm ? CalculatorFor(product, model) : null;
                    var threshold = calculator?.Parameters.Threshold ?? ThresholdFor(product, model);
                    readings[slot] = ModelReadout.Read(info, runner, slot, calculator, threshold, scratch);
                    if (KeepLastMap && model == panel.Members[0])
                    {
                        Volatile.Write(ref _lastFused, info.Kind == ModelKind.Stpm ? scratch[..(info.Input * info.Input)]
                            : info.MapSize == (info.Input, info.Input) ? runner.AnomalyMapOf(slot).ToArray() : []);
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }

            return new ModelRun(model, readings, ms, (clock.Elapsed.TotalMilliseconds - ms) / ready.Count, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new ModelRun(model, new ModelReading?[ready.Count], clock.Elapsed.TotalMilliseconds, 0, $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            model.Return(runner);
        }
    }

    private Verdict Decide(PreparedPair pair, List<ModelRun> members, int slot, ModelRun? shadow)
    {
        var draft = pair.Draft;
        var clock = Stopwatch.StartNew();
        draft.Infer = members.Sum(m => m.Ms);
        var says = members.Select(m => Say(pair, m, slot)).ToList();
        pair.Heatmaps = [.. members.Where(m => m.Readings[slot]?.HeatLevels is not null)
            .Select(m => new ModelHeatmap(m.Model.Name, new VerdictHeatmap(m.Model.Model.Info.Crop, m.Readings[slot]!.HeatLevels!)))];
        var shadowSays = shadow is null ? null : Say(pair, shadow, slot);
        // Score = each model's decision rule on this pair's outputs (measured in the run) + the combination.
        draft.ScoreMs = members.Sum(m => m.ReadMsPerPair) + clock.Elapsed.TotalMilliseconds;
        var first = says[0];
        var result = new Judgement(says, shadowSays, panel.Combine, first.Layers, first.Peak) { Ood = says.FirstOrDefault(s => s.Ood is not null)?.Ood };
        if (says.FirstOrDefault(s => s.Outcome == VerdictKind.Review) is { } failed)
        {
            return Finish(draft, result, VerdictKind.Review, ReasonCode.InferenceFailed, $"model {failed.Name} {failed.Version}: {failed.Detail}", pair.Clock);
        }

        var (score, ng) = panel.Combine is { } policy
            ? Combination.Combine(policy, [.. says.Select(s => new MemberScore(s.Score!.Value, s.Threshold, s.Kind == ModelKind.Classifier.Name()))])
            : (first.Score!.Value, first.Outcome == VerdictKind.Ng);
        var threshold = panel.Combine is null ? first.Threshold : 1.0;
        result = result with { Score = score, Threshold = threshold, Band = BandOf(pair.Candidate.Product, threshold) };
        if (!pair.Estimate!.Trusted)
        {
            return Finish(draft, result, VerdictKind.Review, ReasonCode.AlignmentUntrusted, pair.Estimate.UntrustedReason, pair.Clock);
        }

        if (says.FirstOrDefault(s => s.Ood is { Beyond: true }) is { } stranger)
        {
            result = result with { Ood = stranger.Ood };
            if (OodPolicyOf(pair.Candidate.Product) == OodPolicy.Review)
            {
                var ood = stranger.Ood!;
                return Finish(draft, result, VerdictKind.Review, ReasonCode.OutOfDistribution,
                    string.Create(CultureInfo.InvariantCulture, $"model {stranger.Name} {stranger.Version}: template {ood.Template:0.00} beyond its bound {ood.Bound:0.00} (image {ood.Image:0.00})"), pair.Clock);
            }
        }

        // The band comes after every reason the score cannot be trusted, and only takes pairs the threshold calls OK: its NG
        // end is the threshold itself (for a combination, each member's own threshold through the policy).
        if (!ng && score >= result.Band!.Ok)
        {
            return Finish(draft, result, VerdictKind.Review, ReasonCode.Uncertain,
                string.Create(CultureInfo.InvariantCulture, $"score {score:0.######} in the band [{result.Band.Ok:0.######}, {result.Band.Ng:0.######})"), pair.Clock);
        }

        return ng
            ? Finish(draft, result, VerdictKind.Ng, ReasonCode.ScoreAboveThreshold, null, pair.Clock)
            : Finish(draft, result, VerdictKind.Ok, null, null, pair.Clock);
    }

    // One model's judgement of one pair, with its map positions taken back into template and AOI coordinates.
    private ModelVerdict Say(PreparedPair pair, ModelRun run, int slot)
    {
        var info = run.Model.Model.Info;
        var identity = run.Model.Identity;
        var reading = run.Readings[slot];
        var verdict = new ModelVerdict
        {
            Kind = info.Kind.Name(),
            Name = identity.Name,
            Version = identity.Version,
            Sha256 = identity.Sha256,
            Threshold = reading?.Threshold ?? ThresholdFor(pair.Candidate.Product, run.Model),
            Outcome = VerdictKind.Review,
            Reason = ReasonCode.InferenceFailed,
            InferMs = Round(run.Ms),
        };
        if (reading is null || !double.IsFinite(reading.Score))
        {
            return verdict with { Detail = run.Failure ?? $"the model's score is not a finite number ({reading?.Score})" };
        }

        var ood = reading.Ood is var (t, i) ? OodOf(pair.Candidate.Product, info, t, i) : null;
        var topClass = reading.Classes.FirstOrDefault(c => info.DefectClasses.Contains(c.Name))?.Name;
        return verdict with
        {
            Score = Math.Round(reading.Score, 7),
            Outcome = reading.Score >= reading.Threshold ? VerdictKind.Ng : VerdictKind.Ok,
            Reason = reading.Score >= reading.Threshold ? ReasonCode.ScoreAboveThreshold : null,
            Layers = reading.Layers,
            Peak = reading.Peak is { } p ? PeakOf(p, info.Crop, pair.Size, pair.Estimate!.Alignment) : null,
            Regions = info.Kind == ModelKind.Pairseg ? [.. reading.Regions.Select(r => RegionOf(r, info, pair.Size, pair.Estimate!.Alignment, topClass))] : null,
            Classes = reading.Classes.Count > 0 ? reading.Classes : null,
            Ood = ood,
        };
    }

    private OodReading OodOf(string product, ModelInfo info, float template, float image)
    {
        var bound = products.GetValueOrDefault(product)?.OodBound ?? info.OodBound;
        // The template decides: it shows the product and never a defect, while a large defect moves the image's statistics
        // as well (an NG stain's image lay beyond where no OK image does). The image's distance is reported for trends.
        return new OodReading(Math.Round(template, 4), Math.Round(image, 4), bound, bound is { } b && template > b);
    }

    // The product's band on the deciding score's scale. ThresholdOk counts only on the scale it was set for (a combination's
    // band on a product whose combination was refused at start, judged by its fallback model alone, is not one).
    private ScoreBand BandOf(string product, double threshold) =>
        products.GetValueOrDefault(product) is { ThresholdOk: { } ok } settings && settings.BandOnCombinedScale == (panel.Combine is not null)
            ? new ScoreBand(Math.Min(ok, threshold), threshold)
            : new ScoreBand(threshold, threshold);

    private OodPolicy OodPolicyOf(string product) => products.GetValueOrDefault(product)?.OutOfDistribution ?? OodPolicy.Review;

    private Verdict? PrepareInto(PreparedPair prepared, bool align, Action<Mat>? keepWarped)
    {
        var (pair, draft, clock) = (prepared.Candidate, prepared.Draft, prepared.Clock);
        var golden = goldens.Covers(pair.Product);
        if (UnreadableNames.Is(pair.ImagePath))
        {
            return Finish(draft, VerdictKind.Error, ReasonCode.UnreadableName, "image: the file name is not valid UTF-8 (shown with U+FFFD); the file cannot be opened by it, rename it", clock);
        }

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

        int crop = _largestCrop;
        if (size.Width < crop || size.Height < crop)
        {
            return Finish(draft, VerdictKind.Error, ReasonCode.TooSmall, $"{size.Width}×{size.Height} is smaller than the model's {crop}×{crop} crop", clock);
        }

        var estimate = align ? aligner.Estimate(image.Mat, template.Mat, crop) : new AlignmentEstimate(Alignment.Identity, true, null);
        draft.Alignment = estimate.Alignment;
        // Only the largest centre crop a model sees is resampled (the warp of a whole 600² image cost more than the crop);
        // the warp is per output pixel, so a smaller model's window inside it is exactly the warp of that window.
        var window = CentreCrop.Window(size, crop);
        using var warped = align ? aligner.WarpWindowToTemplate(image.Mat, estimate.Alignment, window) : new Mat(image.Mat, window).Clone();
        draft.Align = clock.Elapsed.TotalMilliseconds - draft.Decode;
        keepWarped?.Invoke(warped);

        foreach (var geometry in panel.All.Select(m => new Geometry(m.Model.Info.Crop, m.Model.Info.Input)).Distinct())
        {
            var (templateCrop, imageCrop) = prepared.Rent(geometry);
            var own = CentreCrop.Window(size, geometry.Crop);
            CentreCrop.CopyTo(template.Mat, own, geometry.Input, templateCrop.Span);
            CentreCrop.CopyTo(warped, own with { X = own.X - window.X, Y = own.Y - window.Y }, geometry.Input, imageCrop.Span);
        }

        // Lighting against the template, on the pixels the first model sees: the drift watch's brightness and contrast.
        var first = new Geometry(panel.Members[0].Model.Info.Crop, panel.Members[0].Model.Info.Input);
        draft.Photometry = PhotometryMeter.Measure(prepared.TemplateCrop(first), prepared.ImageCrop(first), first.Input);
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

    private ScoreCalculator CalculatorFor(string product, LoadedModel model) => _calculators.GetOrAdd((product, model), key =>
    {
        var scoring = key.Model.Model.Info.StpmScoring;
        return new ScoreCalculator(SettingsApply(key.Product, key.Model) ? products[key.Product].Apply(scoring) : scoring, key.Model.Model.Info.Input);
    });

    // A product's Threshold/Mask/LayerWeights override its model when one model judges it (its STPM model's, or
    // another kind's threshold); in a combination they apply to the STPM member only.
    private bool SettingsApply(string product, LoadedModel model) =>
        products.ContainsKey(product) && panel.Members.Contains(model)
        && (panel.Members.Count == 1 || model.Model.Info.Kind == ModelKind.Stpm);

    private double ThresholdFor(string product, LoadedModel model) =>
        SettingsApply(product, model) && products[product].Threshold is { } threshold ? threshold : model.Model.Info.Threshold;

    // A point of a model's map, back through the resize and crop into the template, then through the inverse
    // alignment into the AOI image, so people find the defect where the AOI called it.
    private static Peak PeakOf(MapPoint point, int crop, Size size, Alignment alignment)
    {
        var (x, y) = ToTemplate(point.X + 0.5, point.Y + 0.5, point, crop, size);
        var (ix, iy) = alignment.TemplateToImage(x - 0.5, y - 0.5, AlignmentWarp.Centre(size.Width), AlignmentWarp.Centre(size.Height));
        return new Peak(Math.Round(x - 0.5, 2), Math.Round(y - 0.5, 2), Math.Round(ix, 2), Math.Round(iy, 2));
    }

    // A region's box in the template (map pixel edges scaled to the crop), and the box around its corners in the AOI image.
    private static DefectRegion RegionOf(MapRegion region, ModelInfo info, Size size, Alignment alignment, string? defectClass)
    {
        var point = new MapPoint(0, 0, info.Input, info.Input);
        var (x0, y0) = ToTemplate(region.X, region.Y, point, info.Crop, size);
        var (x1, y1) = ToTemplate(region.X + region.Width, region.Y + region.Height, point, info.Crop, size);
        var (cx, cy) = (AlignmentWarp.Centre(size.Width), AlignmentWarp.Centre(size.Height));
        var corners = new[] { (x0, y0), (x1, y0), (x0, y1), (x1, y1) }.Select(c => alignment.TemplateToImage(c.Item1, c.Item2, cx, cy)).ToList();
        var (ix0, iy0) = (corners.Min(c => c.X), corners.Min(c => c.Y));
        var (ix1, iy1) = (corners.Max(c => c.X), corners.Max(c => c.Y));
        double scale = (double)info.Crop / info.Input;
        return new DefectRegion(
            new Box(Math.Round(x0, 2), Math.Round(y0, 2), Math.Round(x1 - x0, 2), Math.Round(y1 - y0, 2)),
            new Box(Math.Round(ix0, 2), Math.Round(iy0, 2), Math.Round(ix1 - ix0, 2), Math.Round(iy1 - iy0, 2)),
            (int)Math.Round(region.Area * scale * scale),
            Math.Round(region.Max, 6),
            defectClass);
    }

    // Map coordinates (pixel edges) → full-size template coordinates.
    private static (double X, double Y) ToTemplate(double x, double y, MapPoint map, int crop, Size size)
    {
        var window = CentreCrop.Window(size, crop);
        return (window.X + (x * crop / map.Width), window.Y + (y * crop / map.Height));
    }

    private Verdict Finish(Draft d, VerdictKind outcome, string? reason, string? detail, Stopwatch clock) =>
        Finish(d, Judgement.None, outcome, reason, detail, clock);

    private Verdict Finish(Draft d, Judgement j, VerdictKind outcome, string? reason, string? detail, Stopwatch clock) => new()
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
        Score = j.Score,
        Threshold = j.Threshold,
        Layers = j.Layers,
        Peak = j.Peak,
        Model = panel.Members[0].Identity,
        Combine = panel.Combine?.Name(),
        Models = j.Members,
        Shadow = j.Shadow,
        Alignment = d.Alignment,
        Ood = j.Ood,
        Photometry = d.Photometry,
        Band = j.Band,
        TimingsMs = new Timings(Round(d.Decode), Round(d.Align), Round(d.Infer), Round(d.ScoreMs), Round(clock.Elapsed.TotalMilliseconds)),
        Station = station,
        JudgedAt = time.GetUtcNow(),
    };

    private static double Round(double ms) => Math.Round(ms, 3);

    /// <summary>One model's run over a batch: a reading per ready pair (null where it failed), the run's time, the decision rule's time per pair, why it failed.</summary>
    private sealed record ModelRun(LoadedModel Model, ModelReading?[] Readings, double Ms, double ReadMsPerPair, string? Failure);

    /// <summary>What the models said about a pair, on its way into the verdict.</summary>
    private sealed record Judgement(IReadOnlyList<ModelVerdict>? Members, ModelVerdict? Shadow, CombinePolicy? Combine, IReadOnlyList<double>? Layers, Peak? Peak)
    {
        public static Judgement None { get; } = new(null, null, null, null, null);

        public double? Score { get; init; }

        public double? Threshold { get; init; }

        public OodReading? Ood { get; init; }

        public ScoreBand? Band { get; init; }
    }
}
