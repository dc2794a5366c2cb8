using EdgeAgent.Align;
using OpenCvSharp;

namespace EdgeAgent.Vision.Align;

/// <summary>
/// The geometry shared by the aligner, the generator's tests and the residual: pixel-centre coordinates,
/// so the centre of an N-pixel side is (N − 1)/2, and the matrices of <see cref="Alignment"/>'s convention.
/// </summary>
public static class AlignmentWarp
{
    /// <summary>The centre coordinate of a side of <paramref name="pixels"/> pixels.</summary>
    public static double Centre(int pixels) => (pixels - 1) / 2.0;

    /// <summary>
    /// The 2×3 matrix (CV_64FC1) mapping template coordinates to image coordinates, for a template of
    /// <paramref name="templateSize"/> and an image of <paramref name="imageSize"/>. Passed to WarpAffine
    /// with WARP_INVERSE_MAP it resamples the image into the template's frame.
    /// </summary>
    public static Mat TemplateToImageMatrix(Alignment alignment, Size templateSize, Size imageSize)
    {
        using var view = Mat.FromPixelData(2, 3, MatType.CV_64FC1, Coefficients(alignment, templateSize, imageSize));
        return view.Clone();
    }

    private static double[] Coefficients(Alignment alignment, Size templateSize, Size imageSize)
    {
        ArgumentNullException.ThrowIfNull(alignment);
        var (sin, cos) = Math.SinCos(alignment.AngleDeg * Math.PI / 180);
        double tcx = Centre(templateSize.Width) + alignment.Dx, tcy = Centre(templateSize.Height) + alignment.Dy;
        double icx = Centre(imageSize.Width), icy = Centre(imageSize.Height);
        return
        [
            cos, -sin, icx - (cos * tcx) + (sin * tcy),
            sin, cos, icy - (sin * tcx) - (cos * tcy),
        ];
    }

    /// <summary>
    /// Only <paramref name="window"/> (in template coordinates) of <see cref="ToTemplate"/>'s result, resampled
    /// directly: the same pixels up to the interpolation's fixed-point rounding (the source is still the whole
    /// image, so borders reflect as before) at a fraction of the cost when only the centre crop is scored.
    /// </summary>
    public static Mat ToTemplateWindow(Mat image, Alignment alignment, Rect window)
    {
        ArgumentNullException.ThrowIfNull(image);
        var m = Coefficients(alignment, image.Size(), image.Size());
        // Output pixel (x, y) is template pixel (x + wx, y + wy): fold the offset into the translation.
        m[2] += (m[0] * window.X) + (m[1] * window.Y);
        m[5] += (m[3] * window.X) + (m[4] * window.Y);
        using var matrix = Mat.FromPixelData(2, 3, MatType.CV_64FC1, m);
        var warped = new Mat();
        Cv2.WarpAffine(image, warped, matrix, window.Size, InterpolationFlags.Linear | InterpolationFlags.WarpInverseMap, BorderTypes.Reflect101);
        return warped;
    }

    /// <summary>
    /// The image resampled into the template frame (linear interpolation, BORDER_REFLECT_101 as the score
    /// definition requires). The result has the image's type and size; the caller disposes it.
    /// </summary>
    public static Mat ToTemplate(Mat image, Alignment alignment)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var matrix = TemplateToImageMatrix(alignment, image.Size(), image.Size());
        var warped = new Mat();
        Cv2.WarpAffine(image, warped, matrix, image.Size(),
            InterpolationFlags.Linear | InterpolationFlags.WarpInverseMap, BorderTypes.Reflect101);
        return warped;
    }
}
