using System.ComponentModel.DataAnnotations;
using System.Globalization;
using OpenCvSharp;

namespace EdgeAgent.Vision.Align;

/// <summary>
/// Finds where an AOI image (a small colour crop around a suspect, roughly the golden's scale and
/// rotation) lies in a product's one large golden image, for products that have no per-pair template.
/// Coarse to fine: TM_CCOEFF_NORMED over the whole golden at half or quarter resolution, then at full
/// resolution in a small window around each of the strongest coarse peaks; when the runner-up outside the
/// winner's neighbourhood is nearly as good (a periodic layout), the position is reported as ambiguous, not guessed.
/// Sub-pixel alignment is left to <see cref="ImageAligner"/>, which runs on the returned crop.
/// Built once per product; <see cref="Locate"/> only reads the golden, so it is thread-safe.
/// </summary>
public sealed class GoldenLocator : IDisposable
{
    // The coarse level keeps at least this many pixels on the image's short side: fewer and the coarse
    // correlation has too little structure to rank positions, so the next finer level is used.
    private const int MinCoarseSide = 32;

    // A peak's own neighbourhood in full-resolution pixels (its main lobe after downscaling): rivals are
    // sought outside it, and two answers closer than this are the same place.
    private const int Neighbourhood = 12;

    // The smallest lead that can count as decisive, whatever MinLead asks: two exact copies of one patch
    // still differ by a few thousandths through the image's noise.
    private const double LeadFloor = 0.01;

    // Coarse peaks refined at full resolution: the true place was seen as low as third among a bump
    // array's copies at quarter resolution.
    private const int CoarseCandidates = 4;

    // Gray-level standard deviation below which the image shows nothing to match on (sensor noise alone is ~2–4).
    private const double MinDetail = 4;

    private readonly Mat _golden;
    private readonly Mat _half = new();
    private readonly Mat _quarter = new();
    private readonly GoldenLocatorOptions _options;

    /// <summary>Keeps a copy of <paramref name="goldenGray"/> (CV_8UC1) and its half and quarter levels.</summary>
    /// <exception cref="ValidationException">The options are out of range.</exception>
    public GoldenLocator(Mat goldenGray, GoldenLocatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(goldenGray);
        if (goldenGray.Empty() || goldenGray.Type() != MatType.CV_8UC1)
        {
            throw new ArgumentException("Expected a non-empty CV_8UC1 golden image.", nameof(goldenGray));
        }

        _options = options ?? new GoldenLocatorOptions();
        Validator.ValidateObject(_options, new ValidationContext(_options), validateAllProperties: true);
        _golden = goldenGray.Clone();
        Cv2.Resize(_golden, _half, new Size(_golden.Width / 2, _golden.Height / 2), 0, 0, InterpolationFlags.Area);
        Cv2.Resize(_golden, _quarter, new Size(_golden.Width / 4, _golden.Height / 4), 0, 0, InterpolationFlags.Area);
    }

    /// <summary>The golden image's size.</summary>
    public Size GoldenSize => _golden.Size();

    /// <summary>
    /// Locates <paramref name="imageBgr"/> (CV_8UC3) in the golden. The match always says where the best
    /// peak was; its crop is null only when the image is larger than the golden or shows no structure.
    /// </summary>
    public GoldenMatch Locate(Mat imageBgr)
    {
        ArgumentNullException.ThrowIfNull(imageBgr);
        if (imageBgr.Empty() || imageBgr.Type() != MatType.CV_8UC3)
        {
            throw new ArgumentException("Expected a non-empty CV_8UC3 image.", nameof(imageBgr));
        }

        var size = imageBgr.Size();
        var c = CultureInfo.InvariantCulture;
        if (size.Width > _golden.Width || size.Height > _golden.Height)
        {
            return new GoldenMatch(null, new Point(0, 0), 0, null,
                string.Create(c, $"image {size.Width}×{size.Height} does not fit in the golden {_golden.Width}×{_golden.Height}"));
        }

        using var gray = new Mat();
        Cv2.CvtColor(imageBgr, gray, ColorConversionCodes.BGR2GRAY);
        Cv2.MeanStdDev(gray, out _, out var detail);
        if (detail.Val0 < MinDetail)
        {
            return new GoldenMatch(null, new Point(0, 0), 0, null, "image shows no structure to match on");
        }

        // Downscaling blurs a periodic array into near-equal coarse peaks whose order is not to be relied on,
        // so the strongest few are all refined and full resolution decides.
        var peaks = Coarse(gray).Select(p => Refine(gray, p)).OrderByDescending(p => p.Peak).ToList();
        var best = peaks[0];
        var rival = peaks.Skip(1).FirstOrDefault(p => Distance(best.Position, p.Position) >= Neighbourhood);
        string? reason = best.Peak < _options.MinPeak
            ? string.Create(c, $"peak {best.Peak:0.00} below {_options.MinPeak:0.00}: the image may not come from this golden")
            : rival is not null && best.Peak - rival.Peak < Math.Max(LeadFloor, _options.MinLead * (1 - best.Peak))
                ? string.Create(c, $"ambiguous: ({rival.Position.X}, {rival.Position.Y}) scores {rival.Peak:0.000} against {best.Peak:0.000} at ({best.Position.X}, {best.Position.Y}); a periodic layout repeats the image there")
                : null;
        using var roi = new Mat(_golden, new Rect(best.Position, size));
        return new GoldenMatch(roi.Clone(), best.Position, best.Peak, rival?.Peak, reason);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _golden.Dispose();
        _half.Dispose();
        _quarter.Dispose();
    }

    // The strongest coarse peaks, each outside the others' neighbourhoods, in full-resolution pixels.
    private List<Point> Coarse(Mat gray)
    {
        int shortSide = Math.Min(gray.Width, gray.Height);
        int factor = shortSide / 4 >= MinCoarseSide ? 4 : shortSide / 2 >= MinCoarseSide ? 2 : 1;
        var level = factor switch { 4 => _quarter, 2 => _half, _ => _golden };
        using var small = new Mat();
        if (factor > 1)
        {
            Cv2.Resize(gray, small, new Size(gray.Width / factor, gray.Height / factor), 0, 0, InterpolationFlags.Area);
        }

        using var surface = new Mat();
        Cv2.MatchTemplate(level, factor > 1 ? small : gray, surface, TemplateMatchModes.CCoeffNormed);
        int radius = Math.Max(1, (Neighbourhood + factor - 1) / factor);
        using var outside = new Mat(surface.Size(), MatType.CV_8UC1, Scalar.All(255));
        var peaks = new List<Point>(CoarseCandidates);
        while (peaks.Count < CoarseCandidates && Cv2.CountNonZero(outside) > 0)
        {
            Cv2.MinMaxLoc(surface, out _, out _, out _, out var at, outside);
            peaks.Add(new Point(at.X * factor, at.Y * factor));
            Cv2.Rectangle(outside, new Rect(at.X - radius, at.Y - radius, (2 * radius) + 1, (2 * radius) + 1), Scalar.All(0), -1);
        }

        return peaks;
    }

    // The full-resolution peak in a window around a coarse position, clamped so the crop stays inside the golden.
    private FinePeak Refine(Mat gray, Point coarse)
    {
        int reach = Neighbourhood / 2;
        int maxX = _golden.Width - gray.Width, maxY = _golden.Height - gray.Height;
        int x0 = Math.Clamp(coarse.X - reach, 0, maxX), x1 = Math.Clamp(coarse.X + reach, 0, maxX);
        int y0 = Math.Clamp(coarse.Y - reach, 0, maxY), y1 = Math.Clamp(coarse.Y + reach, 0, maxY);
        using var window = new Mat(_golden, new Rect(x0, y0, x1 - x0 + gray.Width, y1 - y0 + gray.Height));
        using var surface = new Mat();
        Cv2.MatchTemplate(window, gray, surface, TemplateMatchModes.CCoeffNormed);
        Cv2.MinMaxLoc(surface, out _, out var peak, out _, out var at);
        return new FinePeak(new Point(x0 + at.X, y0 + at.Y), peak);
    }

    private static double Distance(Point a, Point b) => Math.Sqrt(Math.Pow(a.X - b.X, 2) + Math.Pow(a.Y - b.Y, 2));

    private sealed record FinePeak(Point Position, double Peak);
}
