using OpenCvSharp;

namespace EdgeAgent.Vision.Align;

/// <summary>Reads a circular correlation surface (zero shift at index 0, wrapping around).</summary>
internal static class CorrelationSurface
{
    /// <summary>
    /// The highest peak with sub-pixel position, its height in units of <paramref name="unit"/>, and up to
    /// <paramref name="rivals"/> rivals, each at least <paramref name="exclusionRadius"/> from the peak and every higher rival.
    /// </summary>
    public static CorrelationPeak FindPeak(Mat surface, double unit, double exclusionRadius, int rivals)
    {
        int width = surface.Cols, height = surface.Rows;
        Cv2.MinMaxLoc(surface, out _, out var peak, out _, out var at);
        double Value(int x, int y) => surface.At<float>(((y % height) + height) % height, ((x % width) + width) % width);

        var dx = Wrap(at.X, width) + SubPixel(Value(at.X - 1, at.Y), peak, Value(at.X + 1, at.Y));
        var dy = Wrap(at.Y, height) + SubPixel(Value(at.X, at.Y - 1), peak, Value(at.X, at.Y + 1));

        // Each rival is searched outside discs around the peak and the rivals found so far, drawn at every wrapped
        // copy of them: on a periodic layout the lattice's other positions come out one by one.
        using var mask = new Mat(surface.Size(), MatType.CV_8UC1, Scalar.All(255));
        var radius = (int)Math.Ceiling(exclusionRadius);
        var found = new List<CorrelationRival>(rivals);
        var exclude = at;
        for (var i = 0; i < rivals; i++)
        {
            foreach (var ox in (ReadOnlySpan<int>)[-width, 0, width])
            {
                foreach (var oy in (ReadOnlySpan<int>)[-height, 0, height])
                {
                    Cv2.Circle(mask, new Point(exclude.X + ox, exclude.Y + oy), radius, Scalar.All(0), -1);
                }
            }

            Cv2.MinMaxLoc(surface, out _, out var rival, out _, out exclude, mask);
            if (rival <= 0)
            {
                break;
            }

            found.Add(new CorrelationRival(Wrap(exclude.X, width), Wrap(exclude.Y, height), rival / unit));
        }

        return new CorrelationPeak(dx, dy, peak / unit, found);
    }

    private static int Wrap(int index, int length) => index <= length / 2 ? index : index - length;

    // A Gaussian through three samples (a parabola through their logarithms): the low-passed peak is
    // Gaussian-shaped, so this is unbiased where a plain parabola or a centroid pulls towards the integer.
    private static double SubPixel(double left, double centre, double right)
    {
        if (left > 0 && right > 0 && centre > 0)
        {
            double l = Math.Log(left), c = Math.Log(centre), r = Math.Log(right);
            var curvature = l - (2 * c) + r;
            return curvature < 0 ? Math.Clamp(0.5 * (l - r) / curvature, -0.5, 0.5) : 0;
        }

        var denominator = left - (2 * centre) + right;
        return denominator < 0 ? Math.Clamp(0.5 * (left - right) / denominator, -0.5, 0.5) : 0;
    }
}
