using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OpenCvSharp;

namespace EdgeAgent.Vision.Align;

/// <summary>
/// Bilinear resampling of a float level at an affine map of the output grid (BORDER_REFLECT_101), for the
/// Lucas–Kanade iterations: OpenCV's warpAffine has no vector path for CV_32F and took most of an
/// iteration. Eight pixels at a time with AVX2 gathers where all four neighbours lie inside the source (all
/// but the margin's edge), a scalar loop elsewhere. Positions are exact, not rounded to OpenCV's 1/32 pixel.
/// </summary>
internal static class BilinearWarp
{
    /// <summary>
    /// Fills <paramref name="output"/> (CV_32FC1, <paramref name="size"/>) with <paramref name="source"/> (CV_32FC1)
    /// sampled at <paramref name="map"/>(u, v) for each output pixel (u, v).
    /// </summary>
    public static unsafe void Affine(Mat source, Mat output, Matrix3 map, Size size)
    {
        ReadOnlySpan<double> m = [map.M00, map.M01, map.M02, map.M10, map.M11, map.M12];
        if (source.Type() != MatType.CV_32FC1 || !source.IsContinuous())
        {
            throw new ArgumentException("Expected a continuous CV_32FC1 source.", nameof(source));
        }

        output.Create(size, MatType.CV_32FC1);
        int width = source.Cols, height = source.Rows;
        var src = (float*)source.Data;
        var lanes = Vector256.Create(0f, 1, 2, 3, 4, 5, 6, 7);
        for (var v = 0; v < size.Height; v++)
        {
            var row = (float*)output.Ptr(v);
            double x0 = (m[1] * v) + m[2], y0 = (m[4] * v) + m[5];
            var u = 0;
            if (Avx2.IsSupported)
            {
                for (; u + 8 <= size.Width; u += 8)
                {
                    var us = Vector256.Create((float)u) + lanes;
                    var xs = Vector256.Create((float)x0) + (us * (float)m[0]);
                    var ys = Vector256.Create((float)y0) + (us * (float)m[3]);
                    var fx = Avx.Floor(xs);
                    var fy = Avx.Floor(ys);
                    var ix = Avx.ConvertToVector256Int32WithTruncation(fx);
                    var iy = Avx.ConvertToVector256Int32WithTruncation(fy);
                    var inside = Vector256.GreaterThanOrEqual(ix, Vector256<int>.Zero) & Vector256.LessThan(ix, Vector256.Create(width - 1))
                        & Vector256.GreaterThanOrEqual(iy, Vector256<int>.Zero) & Vector256.LessThan(iy, Vector256.Create(height - 1));
                    if (!Vector256.EqualsAll(inside, Vector256<int>.AllBitsSet))
                    {
                        for (var k = 0; k < 8; k++)
                        {
                            row[u + k] = Sample(src, width, height, x0 + (m[0] * (u + k)), y0 + (m[3] * (u + k)));
                        }

                        continue;
                    }

                    var index = (iy * width) + ix;
                    var p00 = Avx2.GatherVector256(src, index, 4);
                    var p01 = Avx2.GatherVector256(src + 1, index, 4);
                    var p10 = Avx2.GatherVector256(src + width, index, 4);
                    var p11 = Avx2.GatherVector256(src + width + 1, index, 4);
                    var ax = xs - fx;
                    var ay = ys - fy;
                    var top = p00 + ((p01 - p00) * ax);
                    var bottom = p10 + ((p11 - p10) * ax);
                    (top + ((bottom - top) * ay)).Store(row + u);
                }
            }

            for (; u < size.Width; u++)
            {
                row[u] = Sample(src, width, height, x0 + (m[0] * u), y0 + (m[3] * u));
            }
        }
    }

    private static unsafe float Sample(float* src, int width, int height, double x, double y)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y) || Math.Abs(x) > 1e6 || Math.Abs(y) > 1e6)
        {
            return 0; // a diverging iteration; the caller stops it on the next check
        }

        var fx = Math.Floor(x);
        var fy = Math.Floor(y);
        var (ax, ay) = ((float)(x - fx), (float)(y - fy));
        int x0 = (int)fx, y0 = (int)fy;
        int c0 = Reflect(x0, width), c1 = Reflect(x0 + 1, width), r0 = Reflect(y0, height) * width, r1 = Reflect(y0 + 1, height) * width;
        var top = src[r0 + c0] + ((src[r0 + c1] - src[r0 + c0]) * ax);
        var bottom = src[r1 + c0] + ((src[r1 + c1] - src[r1 + c0]) * ax);
        return top + ((bottom - top) * ay);
    }

    // BORDER_REFLECT_101: mirror without repeating the edge pixel (…2 1 | 0 1 2 … n−2 n−1 | n−2 …).
    private static int Reflect(int i, int n)
    {
        if (n == 1)
        {
            return 0;
        }

        var period = (2 * n) - 2;
        i = ((i % period) + period) % period;
        return i < n ? i : period - i;
    }
}
