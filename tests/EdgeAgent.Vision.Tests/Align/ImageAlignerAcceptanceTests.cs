using System.Diagnostics;
using System.Globalization;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Synthetic;
using Xunit.Abstractions;

namespace EdgeAgent.Vision.Tests.Align;

public sealed class ImageAlignerAcceptanceTests(ITestOutputHelper output)
{
    private const int Pairs = 200;
    private const double MaxResidualPx = 0.5;

    [Fact]
    public void Estimate_GeneratedPairsBothProductsAllDefects_ResidualWithinHalfPixelAndTrusted()
    {
        var generator = new AoiPairGenerator(seed: 20240601);
        var draw = new Random(7);
        var aligner = new ImageAligner(new AlignmentOptions());
        var residuals = new List<double>(Pairs);
        var failures = new List<string>();
        var untrusted = 0;
        var kinds = new HashSet<string>();
        var generation = new Stopwatch();
        var alignment = new Stopwatch();
        for (var i = 0; i < Pairs; i++)
        {
            var product = i / 2 % 2 == 0 ? "UBM" : "M1";
            double dx = Uniform(draw, 20), dy = Uniform(draw, 20), angle = Uniform(draw, 1);
            generation.Start();
            using var pair = generator.Next(defective: i % 2 == 1, dx, dy, angle, product);
            generation.Stop();
            alignment.Start();
            var estimate = aligner.Estimate(pair.Image, pair.Template);
            alignment.Stop();

            kinds.Add(pair.DefectKind);
            untrusted += estimate.Trusted ? 0 : 1;
            var residual = AlignmentResidual.MaxCornerError(estimate.Alignment, pair.Truth, pair.Template.Cols);
            residuals.Add(residual);
            if (residual > MaxResidualPx || !estimate.Trusted)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{pair.Id} {product} {pair.DefectKind}: truth ({dx:F2}, {dy:F2}, {angle:F3}°) estimate ({estimate.Alignment.Dx:F2}, {estimate.Alignment.Dy:F2}, {estimate.Alignment.AngleDeg:F3}°) residual {residual:F3} px confidence {estimate.Alignment.Confidence:F2} {estimate.UntrustedReason}"));
            }
        }

        residuals.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"residual at the 256-crop corners over {Pairs} pairs: p50 {Percentile(residuals, 0.5):F3} p90 {Percentile(residuals, 0.9):F3} p99 {Percentile(residuals, 0.99):F3} max {residuals[^1]:F3} px"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mean per pair: alignment {alignment.Elapsed.TotalMilliseconds / Pairs:F2} ms, generation {generation.Elapsed.TotalMilliseconds / Pairs:F2} ms"));
        failures.ForEach(output.WriteLine);

        Assert.Equal([.. DefectKinds.All.Append(DefectKinds.None).Order()], kinds.Order());
        Assert.True(residuals.Count(r => r <= MaxResidualPx) >= 0.99 * Pairs, $"{failures.Count} pairs failed");
        Assert.Equal(0, untrusted);
    }

    private static double Uniform(Random random, double max) => max * ((2 * random.NextDouble()) - 1);

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
}
