using System.Globalization;
using EdgeAgent.Align;
using EdgeAgent.Vision.Align;
using OpenCvSharp;

namespace EdgeAgent.Vision.Synthetic;

/// <summary>
/// Generates AOI image/template pairs with a known transform and, for NG pairs, one defect in the image.
/// Deterministic: the same seed and the same sequence of calls give the same pairs. Not thread-safe.
/// </summary>
public sealed class AoiPairGenerator
{
    // NG defects sit within this radius of the image centre; with their own extent (≤ ~30 px) they stay
    // inside the ~80 px the AOI's centring guarantees.
    private const double DefectOffsetMax = 45;

    // Smallest canvas change (grey levels, largest over BGR) that counts as defect in the mask.
    private const int MaskMinChange = 16;

    private readonly Random _random;
    private readonly int _size;
    private readonly int _lot;
    private readonly PitchRange _pitch;
    private readonly HashSet<string> _usedIds = new(StringComparer.Ordinal);

    /// <param name="seed">Same seed, same pairs.</param>
    /// <param name="size">Side of the square image and template in pixels.</param>
    /// <param name="pitch">Range of the periodic array's pitch; <see cref="PitchRange.Default"/> when null.</param>
    public AoiPairGenerator(int seed, int size = 600, PitchRange? pitch = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 200);
        _pitch = pitch ?? PitchRange.Default;
        _pitch.Validate();
        _random = new Random(seed);
        _size = size;
        _lot = _random.Next(10_000);
    }

    public SyntheticPair Next(bool defective, double dx, double dy, double angleDeg, string product)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(product);
        var id = NextId();
        var pairRandom = new Random(_random.Next());
        // OpenCV's RNG is a struct: it is passed by ref so every stage draws from the one pair stream.
        var noise = new RNG((ulong)pairRandom.NextInt64());

        // The canvas must cover every image pixel after the shift and rotation, so the warp samples real
        // scene content everywhere and no synthetic border leaks into the image.
        var reach = Math.Max(Math.Abs(dx), Math.Abs(dy)) + (_size / 2.0 * Math.Abs(Math.Sin(angleDeg * Math.PI / 180)));
        var margin = 16 + (int)Math.Ceiling(reach);
        using var labels = new Mat(_size + (2 * margin), _size + (2 * margin), MatType.CV_8UC1);
        var pitch = DieLayout.Render(labels, product, pairRandom, _size / 2, _pitch);
        var palette = new MaterialPalette(pairRandom, product);
        using var canvas = CanvasRender.Create(labels, palette, ref noise);

        var truth = new Alignment(dx, dy, angleDeg, 1);
        var centre = (_size - 1) / 2.0;
        PaintedDefect? defect = null;
        Mat? mask = null;
        if (defective)
        {
            var offsetAngle = pairRandom.NextDouble() * 2 * Math.PI;
            var offset = DefectOffsetMax * Math.Sqrt(pairRandom.NextDouble());
            var (tx, ty) = truth.ImageToTemplate(centre + (offset * Math.Cos(offsetAngle)), centre + (offset * Math.Sin(offsetAngle)), centre, centre);
            var at = new Point((int)Math.Round(tx) + margin, (int)Math.Round(ty) + margin);
            using var before = canvas.Bgr.Clone();
            using var shape = new Mat(labels.Size(), MatType.CV_8UC1, Scalar.All(0));
            defect = new DefectPainter(canvas.Bgr, labels, palette, pairRandom, shape).Paint(at);
            mask = DefectMask(before, canvas.Bgr, shape, margin, _size);
        }

        var image = Camera.CaptureImage(canvas.Bgr, _size, dx, dy, angleDeg, pairRandom, ref noise);
        var template = Camera.CaptureTemplate(canvas.Gray, margin, _size, pairRandom, ref noise);
        Point2d? defectCentre = null;
        if (defect is not null)
        {
            var (ix, iy) = truth.TemplateToImage(defect.Centre.X - margin, defect.Centre.Y - margin, centre, centre);
            defectCentre = new Point2d(ix, iy);
        }

        return new SyntheticPair(image, template, product, id, defect?.Kind ?? DefectKinds.None,
            dx, dy, angleDeg, pitch, defectCentre, defect?.Radius ?? 0, mask);
    }

    /// <summary>
    /// The defect in the template frame: canvas pixels the painter changed visibly, plus the shape it painted,
    /// cut out of the canvas exactly where the template is. The template is the unwarped centre of the
    /// canvas, so this is also the frame the agent aligns the image into, and segmentation maps of the
    /// aligned pair can be scored against it pixel for pixel.
    /// </summary>
    private static Mat DefectMask(Mat before, Mat after, Mat shape, int margin, int size)
    {
        using var difference = new Mat();
        Cv2.Absdiff(before, after, difference);
        using var channels = new DisposableMats(Cv2.Split(difference));
        using var largest = new Mat();
        Cv2.Max(channels[0], channels[1], largest);
        Cv2.Max(largest, channels[2], largest);
        // A change of ≥ MaskMinChange grey levels stands out of the sensor noise (σ ≤ 4.5); the faint tails of
        // blurred or anti-aliased edges below it would make the masks grow with every blur, not with the defect.
        using var changed = new Mat();
        Cv2.Threshold(largest, changed, MaskMinChange - 1, 255, ThresholdTypes.Binary);
        Cv2.BitwiseOr(changed, shape, changed);
        using var frame = new Mat(changed, new Rect(margin, margin, size, size));
        return frame.Clone();
    }

    // AOI-style traceability ids: one lot per generator, random strip/unit/die positions, never repeated.
    private string NextId()
    {
        while (true)
        {
            var id = string.Create(CultureInfo.InvariantCulture,
                $"L{_lot:0000}_S{_random.Next(100):00}_U{_random.Next(1000):000}_D{_random.Next(100):00}");
            if (_usedIds.Add(id))
            {
                return id;
            }
        }
    }
}
