using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Crop;
using OpenCvSharp;

namespace EdgeAgent.Vision.Heatmap;

/// <summary>
/// Draws template crop | aligned image crop | anomaly overlay, so a supervisor sees what the model compared and
/// where it disagreed. One colour scale everywhere: levels 0..255 with 255 = 2× threshold (red in the JET map),
/// fixed to the threshold so pictures from different pairs compare. Used by <c>inspect --heatmap</c> (from the
/// full map) and by the dashboard (from the <see cref="VerdictHeatmap"/> stored with each verdict).
/// </summary>
public static class HeatmapRenderer
{
    /// <summary>
    /// The compact map stored with a verdict: <paramref name="fused"/> (R×R mask·A) area-downsampled to
    /// <paramref name="side"/>² and turned into levels. A resize of a small float map: cheap enough for every pair.
    /// </summary>
    public static byte[] Levels(ReadOnlySpan<float> fused, int input, double threshold, int side = VerdictHeatmap.Side) =>
        Levels(fused, input, input, threshold, side);

    /// <summary>As <see cref="Levels(ReadOnlySpan{float}, int, double, int)"/> for a <paramref name="width"/>×<paramref name="height"/> map (a density model's patch map).</summary>
    public static byte[] Levels(ReadOnlySpan<float> fused, int width, int height, double threshold, int side = VerdictHeatmap.Side)
    {
        using var map = FloatMap(fused, width, height);
        using var small = new Mat();
        Cv2.Resize(map, small, new Size(side, side), 0, 0, InterpolationFlags.Area);
        using var levels = ToLevels(small, threshold);
        return levels.AsSpan<byte>().ToArray();
    }

    /// <summary>Stored levels as a CV_8UC1 Mat; the caller disposes it.</summary>
    public static Mat LevelsMat(VerdictHeatmap heatmap)
    {
        ArgumentNullException.ThrowIfNull(heatmap);
        var mat = new Mat(VerdictHeatmap.Side, VerdictHeatmap.Side, MatType.CV_8UC1);
        heatmap.Levels.AsSpan(0, VerdictHeatmap.Side * VerdictHeatmap.Side).CopyTo(mat.AsSpan<byte>());
        return mat;
    }

    /// <summary>Levels (CV_8UC1, any size) resized to <paramref name="side"/>² and coloured (JET, BGR); the caller disposes it.</summary>
    public static Mat Colourise(Mat levels, int side)
    {
        ArgumentNullException.ThrowIfNull(levels);
        using var resized = new Mat();
        Cv2.Resize(levels, resized, new Size(side, side), 0, 0, InterpolationFlags.Linear);
        var colour = new Mat();
        Cv2.ApplyColorMap(resized, colour, ColormapTypes.Jet);
        return colour;
    }

    /// <summary>The image crop (BGR) and the coloured levels blended half and half; the caller disposes it.</summary>
    public static Mat Overlay(Mat imageCrop, Mat levels)
    {
        ArgumentNullException.ThrowIfNull(imageCrop);
        using var colour = Colourise(levels, imageCrop.Width);
        var overlay = new Mat();
        Cv2.AddWeighted(imageCrop, 0.5, colour, 0.5, 0, overlay);
        return overlay;
    }

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
        using var map = FloatMap(fused, input, input);
        using var levels = ToLevels(map, threshold);
        using var overlay = Overlay(imageCrop, levels);
        using var strip = new Mat();
        Cv2.HConcat([templateBgr, imageCrop, overlay], strip);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        Cv2.ImWrite(path, strip);
    }

    private static Mat FloatMap(ReadOnlySpan<float> fused, int width, int height)
    {
        var map = new Mat(height, width, MatType.CV_32FC1);
        fused[..(width * height)].CopyTo(map.AsSpan<float>());
        return map;
    }

    // The colour scale: 0 → 0, 2× threshold and above → 255 (saturating).
    private static Mat ToLevels(Mat map, double threshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threshold);
        var levels = new Mat();
        map.ConvertTo(levels, MatType.CV_8UC1, 255 / (2 * threshold));
        return levels;
    }
}
