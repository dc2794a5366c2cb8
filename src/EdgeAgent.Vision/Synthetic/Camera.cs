using OpenCvSharp;

namespace EdgeAgent.Vision.Synthetic;

/// <summary>
/// The two captures of one scene: the golden template (gray, clean, centred) and the AOI image
/// (colour, displaced by the truth transform, differently focused and lit, noisier).
/// </summary>
internal static class Camera
{
    private const double LightUnit = 128;

    /// <summary>The template: the centre of the gray canvas, slightly blurred, with little noise (golden images are averaged).</summary>
    public static Mat CaptureTemplate(Mat canvasGray, int margin, int size, Random random, ref RNG noise)
    {
        using var roi = new Mat(canvasGray, new Rect(margin, margin, size, size));
        using var blurred = new Mat();
        Cv2.GaussianBlur(roi, blurred, new Size(0, 0), 0.4 + (0.5 * random.NextDouble()));
        using var grain = new Mat(blurred.Size(), MatType.CV_16SC1);
        FillNoise(ref noise, grain, 0, 1 + random.NextDouble());
        var template = new Mat();
        Cv2.Add(blurred, grain, template, null, MatType.CV_8U);
        return template;
    }

    /// <summary>
    /// The image: canvas sampled so that image point p (relative to the image centre) shows the canvas
    /// point R·p + d (relative to the canvas centre), which is the truth convention of Alignment.
    /// </summary>
    public static Mat CaptureImage(Mat canvasBgr, int size, double dx, double dy, double angleDeg, Random random, ref RNG noise)
    {
        var (sin, cos) = Math.SinCos(angleDeg * Math.PI / 180);
        var c = (size - 1) / 2.0;
        var canvasCentre = (canvasBgr.Cols - 1) / 2.0;
        using var imageToCanvas = Mat.FromPixelData(2, 3, MatType.CV_64FC1, new[]
        {
            cos, sin, canvasCentre + dx - ((cos + sin) * c),
            -sin, cos, canvasCentre + dy - ((cos - sin) * c),
        });
        using var warped = new Mat();
        Cv2.WarpAffine(canvasBgr, warped, imageToCanvas, new Size(size, size),
            InterpolationFlags.Linear | InterpolationFlags.WarpInverseMap, BorderTypes.Reflect101);
        Cv2.GaussianBlur(warped, warped, new Size(0, 0), 0.3 + (0.9 * random.NextDouble()));

        // Lighting and noise stay in 8/16-bit: float intermediates of this size cost more in fresh pages
        // than in arithmetic, and the generator makes thousands of pairs.
        using var light = Illumination(size, random);
        Cv2.Multiply(warped, light, warped, 1.0 / LightUnit);
        using var sensor = SensorNoise(size, random.Next(-12, 13), 2 + (2.5 * random.NextDouble()), ref noise);
        var image = new Mat();
        Cv2.Add(warped, sensor, image, null, MatType.CV_8U);
        return image;
    }

    // One noise plane read at three one-pixel offsets: independent per pixel and channel for a third of
    // the cost of filling three planes.
    private static Mat SensorNoise(int size, double mean, double std, ref RNG noise)
    {
        using var plane = new Mat(size + 1, size + 1, MatType.CV_16SC1);
        FillNoise(ref noise, plane, mean, std);
        using var blue = new Mat(plane, new Rect(0, 0, size, size));
        using var green = new Mat(plane, new Rect(1, 0, size, size));
        using var red = new Mat(plane, new Rect(0, 1, size, size));
        var sensor = new Mat();
        Cv2.Merge([blue, green, red], sensor);
        return sensor;
    }

    /// <summary>
    /// Uniform noise with the requested mean and standard deviation. OpenCV's normal fill costs 2–3× more,
    /// and after blur (or for a sensor model this simple) the shape of the distribution does not matter.
    /// </summary>
    public static void FillNoise(ref RNG noise, Mat mat, double mean, double std)
    {
        var halfWidth = std * Math.Sqrt(3);
        noise.Fill(mat, DistributionType.Uniform, mean - halfWidth, mean + halfWidth);
    }

    // Gain × colour cast × a smooth linear gradient with a little vignetting, per BGR channel, as 8-bit
    // fixed point (LightUnit = 1.0); the sensor noise added afterwards dithers the 1/128 steps away.
    private static Mat Illumination(int size, Random random)
    {
        var gain = 0.82 + (0.36 * random.NextDouble());
        var cast = new double[3];
        for (var ch = 0; ch < 3; ch++)
        {
            cast[ch] = gain * (0.94 + (0.12 * random.NextDouble()));
        }

        var tiltAngle = random.NextDouble() * 2 * Math.PI;
        var tilt = 0.18 * random.NextDouble();
        var (gx, gy) = (tilt * Math.Cos(tiltAngle), tilt * Math.Sin(tiltAngle));
        var vignette = 0.12 * random.NextDouble();
        // The field is smooth, so it is computed on a coarse grid and interpolated up.
        const int Step = 8;
        var coarse = (size / Step) + 1;
        var field = new byte[coarse * coarse * 3];
        var half = size / 2.0;
        for (var y = 0; y < coarse; y++)
        {
            var v = ((y * Step) - half) / half;
            for (var x = 0; x < coarse; x++)
            {
                var u = ((x * Step) - half) / half;
                var f = 1 + (0.5 * ((gx * u) + (gy * v))) - (vignette * 0.5 * ((u * u) + (v * v)));
                var at = ((y * coarse) + x) * 3;
                for (var ch = 0; ch < 3; ch++)
                {
                    field[at + ch] = (byte)Math.Clamp(Math.Round(cast[ch] * f * LightUnit), 0, 255);
                }
            }
        }

        using var grid = Mat.FromPixelData(coarse, coarse, MatType.CV_8UC3, field);
        var light = new Mat();
        Cv2.Resize(grid, light, new Size(size, size), 0, 0, InterpolationFlags.Linear);
        return light;
    }
}
