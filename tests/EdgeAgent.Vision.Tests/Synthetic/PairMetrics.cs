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

    /// <summary>
    /// Mean |image − template| inside the mask and outside it (the mask grown by 4 px, so its soft edge counts
    /// for neither), for an image in the template frame. The image's gray is first rescaled to the template's
    /// local brightness, and both are smoothed a little, so lighting, focus and noise differ little and what
    /// remains is the scene's difference: the defect. Not high-passed, so a soft stain counts too.
    /// </summary>
    public static (double Inside, double Outside) DifferenceInAndOutOfMask(Mat imageBgr, Mat template, Mat mask)
    {
        using var gray8 = new Mat();
        Cv2.CvtColor(imageBgr, gray8, ColorConversionCodes.BGR2GRAY);
        using var gray = new Mat();
        gray8.ConvertTo(gray, MatType.CV_32F);
        using var reference = new Mat();
        template.ConvertTo(reference, MatType.CV_32F);
        using var grayLight = new Mat();
        using var referenceLight = new Mat();
        Cv2.GaussianBlur(gray, grayLight, new Size(0, 0), 25);
        Cv2.GaussianBlur(reference, referenceLight, new Size(0, 0), 25);
        using var relit = new Mat();
        Cv2.Divide(referenceLight, grayLight, relit);
        Cv2.Multiply(gray, relit, relit);
        Cv2.GaussianBlur(relit, relit, new Size(0, 0), 1.5);
        Cv2.GaussianBlur(reference, reference, new Size(0, 0), 1.5);
        using var difference = new Mat();
        Cv2.Absdiff(relit, reference, difference);

        using var grown = new Mat();
        Cv2.Dilate(mask, grown, null, null, 4);
        using var outside = new Mat();
        Cv2.BitwiseNot(grown, outside);
        return (Cv2.Mean(difference, mask).Val0, Cv2.Mean(difference, outside).Val0);
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
