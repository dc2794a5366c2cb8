using EdgeAgent.Align;
using OpenCvSharp;

namespace EdgeAgent.Vision.Align;

/// <summary>
/// Estimates the rigid transform from an AOI image to its template, coarse to fine: band-limited phase
/// correlation at quarter resolution finds the shift mostly from the non-periodic layout, then Lucas–Kanade at
/// half resolution adds the rotation and the sub-pixel precision. A coarse pitch (60–90 px) survives the low-pass,
/// so the coarse peak and its strongest rivals (the lattice's other positions) are all refined, and
/// <see cref="PlacementChoice"/> picks among them: the best-correlating one, or, among nearly equal ones, the one
/// nearest the AOI's own registration, or none (ambiguous). <see cref="ResidualProbe"/> then measures the
/// misregistration left on the model's crop. The confidence is the normalised correlation of the band-passed
/// images once aligned. Thread-safe: it holds nothing but its options.
/// </summary>
public sealed class ImageAligner
{
    // Low-pass σ of the coarse correlation in cycles per full-resolution pixel: structure coarser than
    // ~100 px. An array of pitch 48 px (the coarsest expected) keeps ~10% of its weight, 24 px almost none.
    private const double CoarseCutoff = 0.01;

    /// <summary>The crop the residual is measured on when the caller does not say: the bundled STPM model's.</summary>
    public const int DefaultResidualCrop = 256;

    // A coarse rival at least this share of the peak's height is refined too.
    private const double RivalShare = 0.5;

    // The lattice's nearest positions around the peak: four neighbours of a square or staggered array.
    private const int MaxRivals = 4;

    // The AOI's own registration (zero shift) is refined as a placement too unless a refined placement lies within
    // this of it: a lattice position within half a pitch of zero is the one nearest zero, so for any array of pitch
    // ≥ 20 px (the finest the measurements cover) the zero start would only find it again.
    private const double ZeroStartBeyondPx = 10;

    private const int MaxIterations = 30;

    // Band-passed contrast (gray levels) below which an input is blank: a real crop has tens, sensor noise
    // alone after the pyramid's smoothing about one.
    private const double MinDetail = 0.5;

    private readonly AlignmentOptions _options;

    public ImageAligner(AlignmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>
    /// Estimates the transform of <paramref name="imageBgr"/> (CV_8UC3) relative to <paramref name="templateGray"/>
    /// (CV_8UC1, same size). The alignment is always filled in, with its residual measured on the centred
    /// <paramref name="crop"/>×<paramref name="crop"/> window; <see cref="AlignmentEstimate.Trusted"/> says
    /// whether it may be used unattended.
    /// </summary>
    public AlignmentEstimate Estimate(Mat imageBgr, Mat templateGray, int crop = DefaultResidualCrop)
    {
        ArgumentNullException.ThrowIfNull(imageBgr);
        ArgumentNullException.ThrowIfNull(templateGray);
        if (imageBgr.Type() != MatType.CV_8UC3 || templateGray.Type() != MatType.CV_8UC1 || imageBgr.Size() != templateGray.Size())
        {
            throw new ArgumentException("Expected a CV_8UC3 image and a CV_8UC1 template of the same size.", nameof(imageBgr));
        }

        var size = templateGray.Size();
        var half = new Size(size.Width / 2, size.Height / 2);
        var quarter = new Size(half.Width / 4 * 2, half.Height / 4 * 2);
        using var pyramid = AlignmentPyramid.Build(imageBgr, templateGray, half, quarter);
        if (Math.Min(pyramid.ImageDetail, pyramid.TemplateDetail) < MinDetail)
        {
            var which = pyramid.ImageDetail < pyramid.TemplateDetail ? "image" : "template";
            return new AlignmentEstimate(Alignment.Identity with { Confidence = 0 }, false, $"{which} shows no structure to align on");
        }

        var (quarterX, quarterY) = (quarter.Width / (double)size.Width, quarter.Height / (double)size.Height);
        var halfScale = half.Width / (double)size.Width;
        var coarse = PhaseCorrelation.Correlate(pyramid.QuarterTemplate, pyramid.QuarterImage, CoarseCutoff / quarterX, MaxRivals);
        var start = new Alignment(coarse.Dx / quarterX, coarse.Dy / quarterY, 0, 0);
        var starts = coarse.Rivals.Where(r => r.Height >= RivalShare * coarse.Peak)
            .Select(r => new Alignment(r.Dx / quarterX, r.Dy / quarterY, 0, 0)).Prepend(start);
        var margin = Margin(size, halfScale);
        var level = pyramid.HalfTemplate.Size();
        using var steepest = new SteepestDescent(pyramid.HalfTemplate, new Rect(margin, margin, level.Width - (2 * margin), level.Height - (2 * margin)));
        var refined = starts.Select(s => RigidRefinement.Refine(steepest, pyramid.HalfImage, s, halfScale, MaxIterations)).OfType<Refinement>().ToList();
        // The coarse surface cannot see an array finer than ~48 px, so the placement nearest the AOI's registration is
        // not always among its peaks: then it is refined from zero shift, and PlacementChoice weighs it against the others.
        if (refined.All(r => Math.Sqrt((r.Alignment.Dx * r.Alignment.Dx) + (r.Alignment.Dy * r.Alignment.Dy)) > ZeroStartBeyondPx)
            && RigidRefinement.Refine(steepest, pyramid.HalfImage, Alignment.Identity, halfScale, MaxIterations) is { } atZero)
        {
            refined.Add(atZero);
        }

        if (PlacementChoice.Choose(refined, _options.MaxShiftPx) is not { } choice)
        {
            return new AlignmentEstimate(start, false, "refinement did not converge");
        }

        var residual = ResidualProbe.Measure(pyramid.HalfTemplate, pyramid.HalfImage, choice.Placement.Alignment, halfScale, HalfCrop(size, crop, halfScale));
        var alignment = choice.Placement.Alignment with
        {
            Confidence = Math.Clamp(choice.Placement.Correlation, 0, 1) * choice.Decisiveness,
            ResidualPx = Math.Round(residual, 2),
            Ambiguous = choice.Ambiguity is not null,
        };
        var reason = choice.Ambiguity ?? AlignmentTrust.Check(alignment, _options);
        return new AlignmentEstimate(alignment, reason is null, reason);
    }

    /// <summary>
    /// The misregistration left on the centred <paramref name="crop"/> window if <paramref name="imageBgr"/> were
    /// warped with <paramref name="alignment"/>, in template pixels at the window's corners: what
    /// <see cref="Estimate"/> reports as <see cref="Alignment.ResidualPx"/> for its own answer, for any alignment.
    /// </summary>
    public double MeasureResidual(Mat imageBgr, Mat templateGray, Alignment alignment, int crop = DefaultResidualCrop)
    {
        ArgumentNullException.ThrowIfNull(imageBgr);
        ArgumentNullException.ThrowIfNull(templateGray);
        ArgumentNullException.ThrowIfNull(alignment);
        var size = templateGray.Size();
        var half = new Size(size.Width / 2, size.Height / 2);
        var quarter = new Size(half.Width / 4 * 2, half.Height / 4 * 2);
        using var pyramid = AlignmentPyramid.Build(imageBgr, templateGray, half, quarter);
        var halfScale = half.Width / (double)size.Width;
        return ResidualProbe.Measure(pyramid.HalfTemplate, pyramid.HalfImage, alignment, halfScale, HalfCrop(size, crop, halfScale));
    }

    /// <summary>
    /// The image resampled into the template's frame (linear interpolation, BORDER_REFLECT_101, as the score
    /// definition requires). Same size and type as the image; the caller disposes it.
    /// </summary>
    public Mat WarpToTemplate(Mat imageBgr, Alignment alignment) => AlignmentWarp.ToTemplate(imageBgr, alignment);

    /// <summary>Only <paramref name="window"/> of <see cref="WarpToTemplate"/>'s result (what the model sees), computed directly.</summary>
    public Mat WarpWindowToTemplate(Mat imageBgr, Alignment alignment, Rect window) => AlignmentWarp.ToTemplateWindow(imageBgr, alignment, window);

    // The model's centred crop (top-left ⌊(size − crop)/2⌋, as the score definition places it) on the half level.
    private static Rect HalfCrop(Size size, int crop, double scale)
    {
        int width = Math.Min(crop, size.Width), height = Math.Min(crop, size.Height);
        return new Rect((int)Math.Round((size.Width - width) / 2 * scale), (int)Math.Round((size.Height - height) / 2 * scale),
            (int)Math.Round(width * scale), (int)Math.Round(height * scale));
    }

    // The border where, within the trusted shift and angle, the image may have no counterpart.
    private int Margin(Size size, double scale)
    {
        var reach = _options.MaxShiftPx + (Math.Max(size.Width, size.Height) / 2.0 * Math.Sin(_options.MaxAngleDeg * Math.PI / 180));
        return (int)Math.Ceiling(Math.Min(reach, Math.Min(size.Width, size.Height) / 4.0) * scale) + 2;
    }
}
