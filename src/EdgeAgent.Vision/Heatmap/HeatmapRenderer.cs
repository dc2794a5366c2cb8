using EdgeAgent.Vision.Crop;
using OpenCvSharp;

namespace EdgeAgent.Vision.Heatmap;

/// <summary>
/// Draws template crop | aligned image crop | anomaly overlay side by side, so a supervisor sees what the
/// model compared and where it disagreed. The colour scale is fixed to the threshold (red = 2× threshold),
/// so pictures from different pairs compare.
/// </summary>
public static class HeatmapRenderer
{
    /// <summary>
    /// Writes the PNG; <paramref name="fused"/> is the R×R map mask·A. Each of <paramref name="templateGray"/> and
    /// <paramref name="alignedImage"/> may be the whole picture or already its centre crop.
    /// </summary>
    public static void Write(string path, Mat templateGray, Mat alignedImage, int crop, ReadOnlySpan<float> fused, int input, double threshold)
    {
        ArgumentNullException.ThrowIfNull(templateGray);
        ArgumentNullException.ThrowIfNull(alignedImage);
        using var templateCrop = new Mat(templateGray, CentreCrop.Window(templateGray.Size(), crop));
        using var templateBgr = new Mat();
        Cv2.CvtColor(templateCrop, templateBgr, ColorConversionCodes.GRAY2BGR);
        using var imageCrop = new Mat(alignedImage, CentreCrop.Window(alignedImage.Size(), crop));
        using var map = new Mat(input, input, MatType.CV_32FC1);
        fused[..(input * input)].CopyTo(map.AsSpan<float>());
        using var scaled = new Mat();
        map.ConvertTo(scaled, MatType.CV_8UC1, 255 / (2 * threshold));
        using var resized = new Mat();
        Cv2.Resize(scaled, resized, new Size(crop, crop), 0, 0, InterpolationFlags.Linear);
        using var colour = new Mat();
        Cv2.ApplyColorMap(resized, colour, ColormapTypes.Jet);
        using var overlay = new Mat();
        Cv2.AddWeighted(imageCrop, 0.5, colour, 0.5, 0, overlay);
        using var strip = new Mat();
        Cv2.HConcat([templateBgr, imageCrop, overlay], strip);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        Cv2.ImWrite(path, strip);
    }
}
