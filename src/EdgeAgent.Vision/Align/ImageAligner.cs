using System.Globalization;
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

    private readonly AlignmentOptions options;

    public ImageAligner(AlignmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
    }

    public AlignmentEstimate Estimate(Mat imageBgr, Mat templateGray)
    {
        ArgumentNullException.ThrowIfNull(imageBgr);
        ArgumentNullException.ThrowIfNull(templateGray);
        var size = templateGray.Size();
        var half = new Size(size.Width / 2, size.Height / 2);
        var quarter = new Size(half.Width / 4 * 2, half.Height / 4 * 2);
        using var pyramid = AlignmentPyramid.Build(imageBgr, templateGray, half, quarter);
        if (Math.Min(pyramid.ImageDetail, pyramid.TemplateDetail) < MinDetail)
        {
            var which = pyramid.ImageDetail < pyramid.TemplateDetail ? "image" : "template";
            return new AlignmentEstimate(Alignment.Identity with { Confidence = 0 }, false, $"{which} shows no structure to align on");
        }

        var quarterScale = quarter.Width / (double)size.Width;
        var halfScale = half.Width / (double)size.Width;
        var coarse = PhaseCorrelation.Correlate(pyramid.QuarterTemplate, pyramid.QuarterImage, CoarseCutoff / quarterScale);
        var start = new Alignment(coarse.Dx / quarterScale, coarse.Dy / quarterScale, 0, 0);
        var margin = Margin(size, halfScale);
        var best = RigidRefinement.Refine(pyramid.HalfTemplate, pyramid.HalfImage, start, halfScale, margin, MaxIterations);
        var decisiveness = 1.0;
        if (coarse.Uniqueness < RivalCheckBelow)
        {
            var rivalStart = new Alignment(coarse.RivalDx / quarterScale, coarse.RivalDy / quarterScale, 0, 0);
            var rival = RigidRefinement.Refine(pyramid.HalfTemplate, pyramid.HalfImage, rivalStart, halfScale, margin, MaxIterations);
            if (rival is { } other && !SameAnswer(best, other))
            {
                if (best is null || other.Correlation > best.Value.Correlation)
                {
                    (best, rival) = (other, best);
                }

                var lead = best.Value.Correlation - (rival?.Correlation ?? 0);
                decisiveness = Math.Clamp(lead / DecisiveMargin, 0, 1);
            }
        }

        if (best is not { } fine)
        {
            return new AlignmentEstimate(start, false, "refinement did not converge");
        }

        var alignment = fine.Alignment with { Confidence = Math.Clamp(fine.Correlation, 0, 1) * decisiveness };
        var reason = Untrusted(alignment);
        return new AlignmentEstimate(alignment, reason is null, reason);
    }

    public Mat WarpToTemplate(Mat imageBgr, Alignment alignment) => AlignmentWarp.ToTemplate(imageBgr, alignment);

    private static bool SameAnswer((Alignment Alignment, double Correlation)? a, (Alignment Alignment, double Correlation) b) =>
        a is { } x && Math.Abs(x.Alignment.Dx - b.Alignment.Dx) < 1 && Math.Abs(x.Alignment.Dy - b.Alignment.Dy) < 1;

    // The border where, within the trusted shift and angle, the image may have no counterpart.
    private int Margin(Size size, double scale)
    {
        var reach = options.MaxShiftPx + (Math.Max(size.Width, size.Height) / 2.0 * Math.Sin(options.MaxAngleDeg * Math.PI / 180));
        return (int)Math.Ceiling(Math.Min(reach, Math.Min(size.Width, size.Height) / 4.0) * scale) + 2;
    }

    private string? Untrusted(Alignment alignment)
    {
        if (alignment.Confidence < options.MinConfidence)
        {
            return string.Create(CultureInfo.InvariantCulture, $"low confidence {alignment.Confidence:0.00}");
        }

        var shift = Math.Sqrt((alignment.Dx * alignment.Dx) + (alignment.Dy * alignment.Dy));
        if (shift > options.MaxShiftPx)
        {
            return string.Create(CultureInfo.InvariantCulture, $"shift {shift:0.0} px exceeds {options.MaxShiftPx:0.#}");
        }

        return Math.Abs(alignment.AngleDeg) > options.MaxAngleDeg
            ? string.Create(CultureInfo.InvariantCulture, $"angle {alignment.AngleDeg:0.00}° exceeds {options.MaxAngleDeg:0.##}°")
            : null;
    }
}
