using OpenCvSharp;

namespace EdgeAgent.Vision.Tests.Synthetic;

/// <summary>Measures how well an image, already warped into the template frame, agrees with the template.</summary>
internal static class PairMetrics
{
    /// <summary>
    /// Normalised cross-correlation of the high-passed gray image and template, ignoring a border and a
    /// disc (the defect). High-passing removes the lighting and material-contrast differences, so only
    /// geometry decides the score.
    /// </summary>
    public static double HighPassCorrelation(Mat warpedBgr, Mat template, Point2d? excludeCentre, double excludeRadius)
    {
        using var gray = new Mat();
        Cv2.CvtColor(warpedBgr, gray, ColorConversionCodes.BGR2GRAY);
        using var a = HighPass(gray);
        using var b = HighPass(template);
        using var mask = new Mat(template.Size(), MatType.CV_8UC1, Scalar.All(0));
        Cv2.Rectangle(mask, new Rect(16, 16, template.Cols - 32, template.Rows - 32), Scalar.All(255), -1);
        if (excludeCentre is { } c)
        {
            Cv2.Circle(mask, new Point((int)c.X, (int)c.Y), (int)excludeRadius + 6, Scalar.All(0), -1);
        }

        using var outside = new Mat();
        Cv2.BitwiseNot(mask, outside);
        a.SetTo(Scalar.All(0), outside);
        b.SetTo(Scalar.All(0), outside);
        return a.Dot(b) / Math.Sqrt(a.Dot(a) * b.Dot(b));
    }

    private static Mat HighPass(Mat gray)
    {
        using var f = new Mat();
        gray.ConvertTo(f, MatType.CV_32F);
        using var low = new Mat();
        Cv2.GaussianBlur(f, low, new Size(0, 0), 3);
        var high = new Mat();
        Cv2.Subtract(f, low, high);
        return high;
    }
}
