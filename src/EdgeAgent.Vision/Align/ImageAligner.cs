using EdgeAgent.Align;
using OpenCvSharp;

namespace EdgeAgent.Vision.Align;

/// <summary>
/// Estimates the rigid transform from an AOI image to its template, coarse to fine: band-limited phase
/// correlation at quarter resolution finds the shift from the non-periodic layout alone (so a bump array
/// cannot pull it a whole pitch off), then Lucas–Kanade at half resolution adds the rotation and the
/// sub-pixel precision. The confidence is the normalised correlation of the band-passed images once
/// aligned. Thread-safe: it holds nothing but its options.
/// </summary>
public sealed class ImageAligner
{
    // Low-pass σ of the coarse correlation in cycles per full-resolution pixel: structure coarser than
    // ~100 px. An array of pitch 48 px (the coarsest expected) keeps ~10% of its weight, 24 px almost none.
    private const double CoarseCutoff = 0.01;

    // Below this uniqueness the coarse rival is refined too, and the better-correlating answer wins.
    private const double RivalCheckBelow = 0.5;

    // Two distinct answers whose correlations differ by less than this are ambiguous.
    private const double DecisiveMargin = 0.1;

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
    /// (CV_8UC1, same size). The alignment is always filled in; <see cref="AlignmentEstimate.Trusted"/> says
    /// whether it may be used unattended.
    /// </summary>
    public AlignmentEstimate Estimate(Mat imageBgr, Mat templateGray)
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
        var coarse = PhaseCorrelation.Correlate(pyramid.QuarterTemplate, pyramid.QuarterImage, CoarseCutoff / quarterX);
        var start = new Alignment(coarse.Dx / quarterX, coarse.Dy / quarterY, 0, 0);
        var refine = (Alignment from) =>
            RigidRefinement.Refine(pyramid.HalfTemplate, pyramid.HalfImage, from, halfScale, Margin(size, halfScale), MaxIterations);
        var best = refine(start);
        var decisiveness = 1.0;
        if (coarse.Uniqueness < RivalCheckBelow)
        {
            var rival = refine(new Alignment(coarse.RivalDx / quarterX, coarse.RivalDy / quarterY, 0, 0));
            (best, decisiveness) = Decide(best, rival);
        }

        if (best is null)
        {
            return new AlignmentEstimate(start, false, "refinement did not converge");
        }

        var alignment = best.Alignment with { Confidence = Math.Clamp(best.Correlation, 0, 1) * decisiveness };
        var reason = AlignmentTrust.Check(alignment, _options);
        return new AlignmentEstimate(alignment, reason is null, reason);
    }

    /// <summary>
    /// The image resampled into the template's frame (linear interpolation, BORDER_REFLECT_101, as the score
    /// definition requires). Same size and type as the image; the caller disposes it.
    /// </summary>
    public Mat WarpToTemplate(Mat imageBgr, Alignment alignment) => AlignmentWarp.ToTemplate(imageBgr, alignment);

    /// <summary>Only <paramref name="window"/> of <see cref="WarpToTemplate"/>'s result (what the model sees), computed directly.</summary>
    public Mat WarpWindowToTemplate(Mat imageBgr, Alignment alignment, Rect window) => AlignmentWarp.ToTemplateWindow(imageBgr, alignment, window);

    // When the coarse peak had a strong rival, both were refined: the better-correlating answer wins, and
    // if the two are distinct and nearly as good, the confidence says so (decisiveness 0..1).
    private static (Refinement? Best, double Decisiveness) Decide(Refinement? peak, Refinement? rival)
    {
        if (rival is null || (peak is not null && SamePlace(peak.Alignment, rival.Alignment)))
        {
            return (peak, 1);
        }

        var (best, second) = peak is null || rival.Correlation > peak.Correlation ? (rival, peak) : (peak, rival);
        var lead = best.Correlation - (second?.Correlation ?? 0);
        return (best, Math.Clamp(lead / DecisiveMargin, 0, 1));
    }

    private static bool SamePlace(Alignment a, Alignment b) => Math.Abs(a.Dx - b.Dx) < 1 && Math.Abs(a.Dy - b.Dy) < 1;

    // The border where, within the trusted shift and angle, the image may have no counterpart.
    private int Margin(Size size, double scale)
    {
        var reach = _options.MaxShiftPx + (Math.Max(size.Width, size.Height) / 2.0 * Math.Sin(_options.MaxAngleDeg * Math.PI / 180));
        return (int)Math.Ceiling(Math.Min(reach, Math.Min(size.Width, size.Height) / 4.0) * scale) + 2;
    }

}
