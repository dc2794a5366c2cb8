using OpenCvSharp;

namespace EdgeAgent.Vision.Synthetic;

/// <summary>
/// Turns a material map into the gray and colour renders of the same physical scene. Both share the
/// material grain and the soft optical edges, so the scene is identical and only the capture differs.
/// </summary>
internal sealed class CanvasRender : IDisposable
{
    private CanvasRender(Mat gray, Mat bgr)
    {
        Gray = gray;
        Bgr = bgr;
    }

    /// <summary>CV_8UC1 scene as the golden template sees it.</summary>
    public Mat Gray { get; }

    /// <summary>CV_8UC3 scene as the colour camera sees it; defects are painted into this one only.</summary>
    public Mat Bgr { get; }

    public static CanvasRender Create(Mat labels, MaterialPalette palette, ref RNG noise)
    {
        var gray = new Mat();
        var bgr = new Mat();
        using (var grayLut = Mat.FromPixelData(1, 256, MatType.CV_8UC1, palette.Gray))
        using (var bgrLut = Mat.FromPixelData(1, 256, MatType.CV_8UC3, palette.Bgr))
        using (var labels3 = new Mat())
        {
            Cv2.LUT(labels, grayLut, gray);
            Cv2.Merge([labels, labels, labels], labels3);
            Cv2.LUT(labels3, bgrLut, bgr);
        }

        // Grain: metal and polyimide are not flat; a fine shared texture also gives registration
        // something to hold on to inside otherwise uniform areas, as real surfaces do.
        // Drawn at half resolution and interpolated up: the same look for a quarter of the noise cost.
        using (var coarse = new Mat((labels.Rows / 2) + 1, (labels.Cols / 2) + 1, MatType.CV_16SC1))
        using (var grain = new Mat())
        using (var grain3 = new Mat())
        {
            Camera.FillNoise(ref noise, coarse, 0, 14);
            Cv2.GaussianBlur(coarse, coarse, new Size(0, 0), 0.7);
            Cv2.Resize(coarse, grain, labels.Size(), 0, 0, InterpolationFlags.Linear);
            Cv2.Add(gray, grain, gray, null, MatType.CV_8U);
            Cv2.Merge([grain, grain, grain], grain3);
            Cv2.Add(bgr, grain3, bgr, null, MatType.CV_8U);
        }

        // Optics never resolve a perfectly sharp material edge.
        Cv2.GaussianBlur(gray, gray, new Size(0, 0), 0.7);
        Cv2.GaussianBlur(bgr, bgr, new Size(0, 0), 0.7);
        return new CanvasRender(gray, bgr);
    }

    public void Dispose()
    {
        Gray.Dispose();
        Bgr.Dispose();
    }
}
