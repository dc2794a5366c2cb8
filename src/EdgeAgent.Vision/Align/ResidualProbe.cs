using EdgeAgent.Align;
using OpenCvSharp;

namespace EdgeAgent.Vision.Align;

/// <summary>
/// The misregistration left after alignment, measured rather than assumed: the aligned image is re-registered
/// against the template in the four quadrants of the model's crop (translation-only Lucas–Kanade, started at zero,
/// so a periodic layout cannot pull it a pitch away), an affine displacement field is fitted through the four
/// local shifts, and its largest displacement at the crop's corners is the residual. A global fit's own error
/// surface would only say how well the rigid model fits on average; the quadrants see what the model sees:
/// a wrong rotation, a magnification mismatch, a local distortion, a refinement that stopped early.
/// </summary>
internal static class ResidualProbe
{
    private const int MaxIterations = 20;

    // Local shifts are searched within a quarter of a quadrant: further than that the quadrant no longer overlaps
    // its own content enough to say anything, and the residual is reported as at least that large.
    private const double ReachShare = 0.25;

    // Directions whose gradient energy is below this share of the strongest are not measurable (along a metal
    // grating's lines): the regularisation keeps the shift there at zero instead of letting noise move it.
    private const double Regularisation = 0.01;

    /// <summary>
    /// The residual in full-resolution pixels at the corners of <paramref name="crop"/> (template coordinates of the
    /// level, i.e. already scaled by <paramref name="scale"/>), for <paramref name="alignment"/> (full-resolution units).
    /// </summary>
    public static double Measure(Mat template, Mat image, Alignment alignment, double scale, Rect crop)
    {
        var size = template.Size();
        using var start = AlignmentWarp.TemplateToImageMatrix(alignment with { Dx = alignment.Dx * scale, Dy = alignment.Dy * scale }, size, size);
        var warp = Matrix3.FromAffine(start);
        int qw = crop.Width / 2, qh = crop.Height / 2;
        var reach = ReachShare * Math.Min(qw, qh);
        var centre = (X: crop.X + (crop.Width / 2.0), Y: crop.Y + (crop.Height / 2.0));
        // Sobel over the crop and a pixel around it, so the quadrants' edge pixels see real neighbours.
        var around = Rect.Intersect(new Rect(crop.X - 1, crop.Y - 1, crop.Width + 2, crop.Height + 2), new Rect(0, 0, size.Width, size.Height));
        using var region = new Mat(template, around);
        using var gx = new Mat();
        using var gy = new Mat();
        Cv2.Sobel(region, gx, MatType.CV_32F, 1, 0, 3, 1.0 / 8);
        Cv2.Sobel(region, gy, MatType.CV_32F, 0, 1, 3, 1.0 / 8);
        var shifts = new List<(double X, double Y, double Sx, double Sy)>(4);
        foreach (var (i, j) in (ReadOnlySpan<(int, int)>)[(0, 0), (1, 0), (0, 1), (1, 1)])
        {
            var quadrant = new Rect(crop.X + (i * qw), crop.Y + (j * qh), qw, qh);
            var local = new Rect(quadrant.X - around.X, quadrant.Y - around.Y, qw, qh);
            using var gxView = new Mat(gx, local);
            using var gyView = new Mat(gy, local);
            if (LocalShift(template, image, warp, quadrant, gxView, gyView, reach) is { } shift)
            {
                shifts.Add((quadrant.X + (qw / 2.0) - centre.X, quadrant.Y + (qh / 2.0) - centre.Y, shift.X, shift.Y));
            }
        }

        var worst = AtCorners(shifts, crop.Width / 2.0, crop.Height / 2.0);
        return worst / scale;
    }

    // The shift s (level pixels) at which the warped image's quadrant best matches the template's: the aligned image
    // shows at x + s what the template shows at x. Null when the quadrant has no structure to measure on.
    private static (double X, double Y)? LocalShift(Mat template, Mat image, Matrix3 warp, Rect quadrant, Mat gxView, Mat gyView, double reach)
    {
        using var gx = gxView.Clone();
        using var gy = gyView.Clone();
        double hxx = gx.Dot(gx), hyy = gy.Dot(gy), hxy = gx.Dot(gy);
        var trace = hxx + hyy;
        if (trace < 1e-6 * quadrant.Width * quadrant.Height)
        {
            return null;
        }

        hxx += Regularisation * trace;
        hyy += Regularisation * trace;
        var det = (hxx * hyy) - (hxy * hxy);
        using var reference = new Mat(template, quadrant).Clone();
        using var warped = new Mat();
        using var error = new Mat();
        double sx = 0, sy = 0;
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            BilinearWarp.Affine(image, warped, warp.Multiply(Matrix3.Rigid(0, quadrant.X + sx, quadrant.Y + sy, 0, 0)), quadrant.Size);
            Cv2.Subtract(warped, reference, error);
            double bx = error.Dot(gx), by = error.Dot(gy);
            var dx = ((hyy * bx) - (hxy * by)) / det;
            var dy = ((hxx * by) - (hxy * bx)) / det;
            // Inverse compositional: the update is applied inverted.
            (sx, sy) = (sx - dx, sy - dy);
            if (Math.Sqrt((sx * sx) + (sy * sy)) > reach)
            {
                var r = Math.Sqrt((sx * sx) + (sy * sy));
                return (sx / r * reach, sy / r * reach);
            }

            if (Math.Sqrt((dx * dx) + (dy * dy)) < 0.005)
            {
                break;
            }
        }

        return (sx, sy);
    }

    // Fits s(p) = t + A·p through the quadrants' shifts (least squares; exact for three) and returns the largest |s|
    // at the corners (±halfWidth, ±halfHeight). With fewer than three measured quadrants, the largest measured shift.
    private static double AtCorners(List<(double X, double Y, double Sx, double Sy)> shifts, double halfWidth, double halfHeight)
    {
        if (shifts.Count < 3)
        {
            return shifts.Count == 0 ? 0 : shifts.Max(s => Math.Sqrt((s.Sx * s.Sx) + (s.Sy * s.Sy)));
        }

        // Normal equations of [1 x y]·(coefficients) = shift, one system per shift component.
        var n = new double[3, 3];
        double[] rx = new double[3], ry = new double[3];
        foreach (var (x, y, sx, sy) in shifts)
        {
            ReadOnlySpan<double> row = [1, x, y];
            for (var a = 0; a < 3; a++)
            {
                for (var b = 0; b < 3; b++)
                {
                    n[a, b] += row[a] * row[b];
                }

                rx[a] += row[a] * sx;
                ry[a] += row[a] * sy;
            }
        }

        var inverse = Matrix3.Invert(n);
        double[] cx = new double[3], cy = new double[3];
        for (var a = 0; a < 3; a++)
        {
            for (var b = 0; b < 3; b++)
            {
                cx[a] += inverse[a, b] * rx[b];
                cy[a] += inverse[a, b] * ry[b];
            }
        }

        var worst = 0.0;
        foreach (var (x, y) in (ReadOnlySpan<(double, double)>)[(-halfWidth, -halfHeight), (halfWidth, -halfHeight), (-halfWidth, halfHeight), (halfWidth, halfHeight)])
        {
            double ex = cx[0] + (cx[1] * x) + (cx[2] * y), ey = cy[0] + (cy[1] * x) + (cy[2] * y);
            worst = Math.Max(worst, Math.Sqrt((ex * ex) + (ey * ey)));
        }

        return worst;
    }
}
