using System.Collections.Concurrent;
using System.Runtime.Intrinsics;
using OpenCvSharp;

namespace EdgeAgent.Vision.Align;

/// <summary>
/// The precomputed half of inverse-compositional Lucas–Kanade for (θ, dx, dy): the template's steepest
/// descent images ∇T·∂W/∂p over the inner window (the border may have no counterpart in the image) and
/// the inverse of their Gauss–Newton Hessian.
/// </summary>
internal sealed class SteepestDescent : IDisposable
{
    private static readonly ConcurrentDictionary<(Rect Inner, double Centre, bool Horizontal), Mat> Ramps = new();

    private readonly Mat _window;
    private readonly Mat[] _images;
    private readonly double[,] _inverseHessian;

    public SteepestDescent(Mat template, Rect inner)
    {
        Inner = inner;
        using (var view = new Mat(template, inner))
        {
            _window = view.Clone();
        }

        using var gx = Gradient(template, inner, 1, 0);
        using var gy = Gradient(template, inner, 0, 1);
        var xr = Ramps.GetOrAdd((inner, AlignmentWarp.Centre(template.Cols), true), Ramp);
        var yr = Ramps.GetOrAdd((inner, AlignmentWarp.Centre(template.Rows), false), Ramp);
        // ∂W/∂θ at θ = 0 about the centre is (−y, x), so the rotation image is x·gy − y·gx.
        var rotation = new Mat();
        using (var a = new Mat())
        using (var b = new Mat())
        {
            Cv2.Multiply(xr, gy, a);
            Cv2.Multiply(yr, gx, b);
            Cv2.Subtract(a, b, rotation);
        }

        _images = [rotation, gx.Clone(), gy.Clone()];
        var hessian = new double[3, 3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = i; j < 3; j++)
            {
                hessian[i, j] = hessian[j, i] = _images[i].Dot(_images[j]);
            }
        }

        _inverseHessian = Matrix3.Invert(hessian);
    }

    /// <summary>The template window the error is measured over, in template coordinates.</summary>
    public Rect Inner { get; }

    /// <summary>The Gauss–Newton step (θ in radians, dx, dy in level pixels) for the window's error warped − template.</summary>
    public (double Theta, double Dx, double Dy) Solve(Mat warpedWindow)
    {
        var (b0, b1, b2) = ProjectError(warpedWindow);
        return (
            (_inverseHessian[0, 0] * b0) + (_inverseHessian[0, 1] * b1) + (_inverseHessian[0, 2] * b2),
            (_inverseHessian[1, 0] * b0) + (_inverseHessian[1, 1] * b1) + (_inverseHessian[1, 2] * b2),
            (_inverseHessian[2, 0] * b0) + (_inverseHessian[2, 1] * b1) + (_inverseHessian[2, 2] * b2));
    }

    /// <summary>Normalised cross-correlation (−1..1) of the warped window with the template window.</summary>
    public double Correlation(Mat warpedWindow)
    {
        // From sums and dot products: subtracting a Scalar from a Mat costs ~1 ms per call in OpenCvSharp.
        double n = _window.Rows * _window.Cols, sa = Cv2.Sum(warpedWindow).Val0, sb = Cv2.Sum(_window).Val0;
        var ab = warpedWindow.Dot(_window) - (sa * sb / n);
        var aa = warpedWindow.Dot(warpedWindow) - (sa * sa / n);
        var bb = _window.Dot(_window) - (sb * sb / n);
        return aa > 0 && bb > 0 ? ab / Math.Sqrt(aa * bb) : 0;
    }

    // The error (warped − template) projected on the three steepest-descent images, in one pass over the
    // window instead of a subtraction and three dot products: float lanes per block of rows, summed in double.
    private unsafe (double B0, double B1, double B2) ProjectError(Mat warpedWindow)
    {
        if (warpedWindow.Size() != _window.Size() || !warpedWindow.IsContinuous())
        {
            throw new ArgumentException("Expected a continuous window of the template window's size.", nameof(warpedWindow));
        }

        int n = _window.Rows * _window.Cols;
        float* w = (float*)warpedWindow.Data, t = (float*)_window.Data, s0 = (float*)_images[0].Data, s1 = (float*)_images[1].Data, s2 = (float*)_images[2].Data;
        double b0 = 0, b1 = 0, b2 = 0;
        const int Block = 4096;
        for (var start = 0; start < n; start += Block)
        {
            var end = Math.Min(n, start + Block);
            Vector256<float> a0 = default, a1 = default, a2 = default;
            var i = start;
            for (; i + 8 <= end; i += 8)
            {
                var e = Vector256.Load(w + i) - Vector256.Load(t + i);
                a0 += e * Vector256.Load(s0 + i);
                a1 += e * Vector256.Load(s1 + i);
                a2 += e * Vector256.Load(s2 + i);
            }

            double r0 = Vector256.Sum(a0), r1 = Vector256.Sum(a1), r2 = Vector256.Sum(a2);
            for (; i < end; i++)
            {
                var e = w[i] - t[i];
                (r0, r1, r2) = (r0 + (e * s0[i]), r1 + (e * s1[i]), r2 + (e * s2[i]));
            }

            (b0, b1, b2) = (b0 + r0, b1 + r1, b2 + r2);
        }

        return (b0, b1, b2);
    }

    public void Dispose()
    {
        _window.Dispose();
        foreach (var image in _images)
        {
            image.Dispose();
        }
    }

    // Sobel on the whole template (so the window's edge pixels see real neighbours), then cut to the window.
    // Its 3×3 kernel weighs the central difference by 8.
    private static Mat Gradient(Mat template, Rect inner, int xOrder, int yOrder)
    {
        using var full = new Mat();
        Cv2.Sobel(template, full, MatType.CV_32F, xOrder, yOrder, 3, 1.0 / 8);
        using var view = new Mat(full, inner);
        return view.Clone();
    }

    // Coordinates relative to the level's centre, along x or y, over the window: the same few windows for
    // every pair, so made once and shared read-only.
    private static Mat Ramp((Rect Inner, double Centre, bool Horizontal) key)
    {
        var (inner, centre, horizontal) = key;
        var length = horizontal ? inner.Width : inner.Height;
        var origin = horizontal ? inner.X : inner.Y;
        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = (float)(origin + i - centre);
        }

        using var line = Mat.FromPixelData(horizontal ? 1 : length, horizontal ? length : 1, MatType.CV_32FC1, values);
        var ramp = new Mat();
        Cv2.Repeat(line, horizontal ? inner.Height : 1, horizontal ? 1 : inner.Width, ramp);
        return ramp;
    }
}
