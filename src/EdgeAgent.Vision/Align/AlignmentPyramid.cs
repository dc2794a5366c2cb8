using OpenCvSharp;

namespace EdgeAgent.Vision.Align;

/// <summary>
/// The image (as gray) and the template at half and quarter resolution, as CV_32FC1. The half level is
/// band-passed for Lucas–Kanade and scaled to unit contrast: the difference of Gaussians drops the
/// lighting gradient and the global gain/offset, and keeps the layout's edges.
/// </summary>
internal sealed class AlignmentPyramid : IDisposable
{
    private AlignmentPyramid(Mat halfImage, Mat halfTemplate, Mat quarterImage, Mat quarterTemplate, double imageDetail, double templateDetail)
    {
        ImageDetail = imageDetail;
        TemplateDetail = templateDetail;
        HalfImage = halfImage;
        HalfTemplate = halfTemplate;
        QuarterImage = quarterImage;
        QuarterTemplate = quarterTemplate;
    }

    /// <summary>Standard deviation (gray levels) of the image's band-passed half level before scaling: ~0 when it shows nothing.</summary>
    public double ImageDetail { get; }

    /// <summary>The same for the template.</summary>
    public double TemplateDetail { get; }

    public Mat HalfImage { get; }

    public Mat HalfTemplate { get; }

    public Mat QuarterImage { get; }

    public Mat QuarterTemplate { get; }

    public static AlignmentPyramid Build(Mat imageBgr, Mat templateGray, Size half, Size quarter)
    {
        using var imageGray = new Mat();
        Cv2.CvtColor(imageBgr, imageGray, ColorConversionCodes.BGR2GRAY);
        var (halfImage, quarterImage, imageDetail) = Levels(imageGray, half, quarter);
        var (halfTemplate, quarterTemplate, templateDetail) = Levels(templateGray, half, quarter);
        return new AlignmentPyramid(halfImage, halfTemplate, quarterImage, quarterTemplate, imageDetail, templateDetail);
    }

    public void Dispose()
    {
        HalfImage.Dispose();
        HalfTemplate.Dispose();
        QuarterImage.Dispose();
        QuarterTemplate.Dispose();
    }

    private static (Mat Half, Mat Quarter, double Detail) Levels(Mat gray, Size half, Size quarter)
    {
        // Downscale while still 8-bit (SIMD-fast), convert only the half level to float.
        using var half8 = new Mat();
        Cv2.Resize(gray, half8, half, 0, 0, InterpolationFlags.Area);
        var halfLevel = new Mat();
        half8.ConvertTo(halfLevel, MatType.CV_32F);
        var quarterLevel = new Mat();
        Cv2.Resize(halfLevel, quarterLevel, quarter, 0, 0, InterpolationFlags.Area);

        // The background (σ = 6 half-level pixels) is blurred at quarter resolution and interpolated up:
        // it is smooth by construction, and a 37-tap blur at half resolution was the single largest cost.
        using var background = new Mat();
        using (var quarterBackground = new Mat())
        {
            Cv2.GaussianBlur(quarterLevel, quarterBackground, new Size(0, 0), 3);
            Cv2.Resize(quarterBackground, background, half, 0, 0, InterpolationFlags.Linear);
        }

        // A light blur keeps the gradients Lucas–Kanade takes from the template smooth and noise-free.
        Cv2.GaussianBlur(halfLevel, halfLevel, new Size(0, 0), 1);
        Cv2.Subtract(halfLevel, background, halfLevel);
        // Unit contrast: the image's gain differs from the template's, and least squares is not gain-blind.
        Cv2.MeanStdDev(halfLevel, out _, out var deviation);
        if (deviation.Val0 > 1e-3)
        {
            halfLevel.ConvertTo(halfLevel, MatType.CV_32F, 1 / deviation.Val0);
        }

        return (halfLevel, quarterLevel, deviation.Val0);
    }
}
