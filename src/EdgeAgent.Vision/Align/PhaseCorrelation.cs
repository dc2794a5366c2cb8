using System.Collections.Concurrent;
using OpenCvSharp;

namespace EdgeAgent.Vision.Align;

/// <summary>A local maximum of the correlation surface away from the peak: another place the image could sit.</summary>
/// <param name="Dx">Shift along x, px.</param>
/// <param name="Dy">Shift along y, px.</param>
/// <param name="Height">Its height on the peak's scale.</param>
internal sealed record CorrelationRival(double Dx, double Dy, double Height);

/// <summary>The shift found by <see cref="PhaseCorrelation"/>: where the peak is, how high, and the best rivals.</summary>
/// <param name="Dx">Shift along x at the peak, px.</param>
/// <param name="Dy">Shift along y at the peak, px.</param>
/// <param name="Peak">Peak height, 1 for identical inputs, near 0 for unrelated ones.</param>
/// <param name="Rivals">The highest values away from the peak and from each other, highest first (on a periodic
/// layout, the lattice's other positions); the first is close to <paramref name="Peak"/> when the match is ambiguous.</param>
internal sealed record CorrelationPeak(double Dx, double Dy, double Peak, IReadOnlyList<CorrelationRival> Rivals);

/// <summary>
/// Phase correlation restricted to low spatial frequencies. Plain phase correlation whitens the spectrum,
/// which gives a periodic bump array's few spectral lines full weight again; a Gaussian low-pass on the
/// cross-power spectrum keeps only structure coarser than the array's pitch, so the peak belongs to the
/// non-periodic layout and a whole-pitch jump cannot win.
/// </summary>
internal static class PhaseCorrelation
{
    // The window and the frequency weight depend only on the level's size and the cutoff: made once per
    // size (a handful in a process) and shared read-only by every thread; they cost ~0.5 ms a pair to make.
    private static readonly ConcurrentDictionary<(int Width, int Height, double Cutoff), (Mat Window, Mat Weight, double WeightSum)> Constants = new();

    /// <summary>
    /// Finds d such that <paramref name="moving"/>(x) ≈ <paramref name="reference"/>(x + d). Both are
    /// CV_32FC1 of the same even size. <paramref name="cutoff"/> is the low-pass σ in cycles per pixel.
    /// </summary>
    public static CorrelationPeak Correlate(Mat reference, Mat moving, double cutoff, int rivals)
    {
        var size = reference.Size();
        var (window, weight, weightSum) = Constants.GetOrAdd((size.Width, size.Height, cutoff), Create);
        using var spectrumA = Spectrum(reference, window);
        using var spectrumB = Spectrum(moving, window);
        using var cross = new Mat();
        Cv2.MulSpectrums(spectrumA, spectrumB, cross, DftFlags.None, conjB: true);

        using var planes = new DisposableMats(Cv2.Split(cross));
        using var magnitude = new Mat();
        Cv2.Magnitude(planes[0], planes[1], magnitude);
        // ConvertTo's offset, not Add(Mat, Scalar): the latter costs ~1 ms per call in this OpenCvSharp build.
        magnitude.ConvertTo(magnitude, MatType.CV_32F, 1, 1e-9);
        using var gain = new Mat();
        Cv2.Divide(weight, magnitude, gain);
        Cv2.Multiply(planes[0], gain, planes[0]);
        Cv2.Multiply(planes[1], gain, planes[1]);
        Cv2.Merge([planes[0], planes[1]], cross);

        using var complexSurface = new Mat();
        Cv2.Dft(cross, complexSurface, DftFlags.Inverse | DftFlags.Scale);
        using var surface = new Mat();
        Cv2.ExtractChannel(complexSurface, surface, 0);
        // Identical inputs give sum(weight)/N at zero shift; dividing by it puts the peak on a 0..1 scale.
        var unit = weightSum / (size.Width * size.Height);
        return CorrelationSurface.FindPeak(surface, unit, RivalExclusionRadius(cutoff), rivals);
    }

    // Beyond about three peak widths (σ = 1/(2π·cutoff)) a value is a rival, not the peak's own flank.
    private static double RivalExclusionRadius(double cutoff) => 3 / (2 * Math.PI * cutoff);

    // Complex-to-complex on purpose: OpenCV's real-to-full-complex DFT (and back) ran ~10× slower here.
    private static Mat Spectrum(Mat image, Mat window)
    {
        using var centred = new Mat();
        image.ConvertTo(centred, MatType.CV_32F, 1, -Cv2.Mean(image).Val0);
        Cv2.Multiply(centred, window, centred);
        using var zeros = new Mat(image.Size(), MatType.CV_32FC1, Scalar.All(0));
        using var complex = new Mat();
        Cv2.Merge([centred, zeros], complex);
        var spectrum = new Mat();
        Cv2.Dft(complex, spectrum);
        return spectrum;
    }

    private static (Mat Window, Mat Weight, double WeightSum) Create((int Width, int Height, double Cutoff) key)
    {
        var size = new Size(key.Width, key.Height);
        var window = new Mat();
        Cv2.CreateHanningWindow(window, size, MatType.CV_32F);
        var weight = FrequencyWeight(size, key.Cutoff, out var sum);
        return (window, weight, sum);
    }

    // exp(−f²/2σ²) low-pass with the DC term and the lowest ring removed (they carry lighting, not layout).
    private static Mat FrequencyWeight(Size size, double cutoff, out double sum)
    {
        var weight = new Mat(size, MatType.CV_32FC1);
        var values = weight.AsSpan<float>();
        sum = 0;
        for (var y = 0; y < size.Height; y++)
        {
            var fy = (y <= size.Height / 2 ? y : y - size.Height) / (double)size.Height;
            for (var x = 0; x < size.Width; x++)
            {
                var fx = (x <= size.Width / 2 ? x : x - size.Width) / (double)size.Width;
                var f2 = (fx * fx) + (fy * fy);
                var lowest = 1.5 / Math.Min(size.Width, size.Height);
                var w = f2 < lowest * lowest ? 0 : Math.Exp(-f2 / (2 * cutoff * cutoff));
                values[(y * size.Width) + x] = (float)w;
                sum += w;
            }
        }

        return weight;
    }
}
