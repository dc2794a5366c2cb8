using System.Globalization;
using EdgeAgent.Align;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Synthetic;
using OpenCvSharp;

namespace EdgeAgent.Vision.Tests.Synthetic;

public sealed class AoiPairGeneratorTests
{
    [Theory]
    [InlineData("UBM", false, 6.3, -4.7, 0.8)]
    [InlineData("M1", true, -11.2, 7.9, -0.9)]
    [InlineData("BGA", true, 9.4, -13.1, 0.7)]
    public void Next_WarpWithTrueAlignment_AgreesWithTemplateAwayFromDefect(string product, bool defective, double dx, double dy, double angle)
    {
        using var pair = new AoiPairGenerator(seed: 11).Next(defective, dx, dy, angle, product);
        using var aligned = AlignmentWarp.ToTemplate(pair.Image, pair.Truth);
        // The same warp with the convention turned around (inverse rotation and shift) must do much worse:
        // that is what proves the truth is stated in Alignment's convention, not merely close to it.
        using var flipped = AlignmentWarp.ToTemplate(pair.Image, new Alignment(-dx, -dy, -angle, 1));

        var truth = PairMetrics.HighPassCorrelation(aligned, pair.Template, pair.DefectCentre, pair.DefectRadius);
        var wrong = PairMetrics.HighPassCorrelation(flipped, pair.Template, pair.DefectCentre, pair.DefectRadius);

        Assert.True(truth > 0.8, $"high-pass correlation at the truth {truth:F3}");
        Assert.True(wrong < 0.5 * truth, $"correlation with the inverted convention {wrong:F3} vs truth {truth:F3}");
    }

    [Fact]
    public void Next_DefectivePair_DefectSitsNearTheCentre()
    {
        var generator = new AoiPairGenerator(seed: 5, size: 400);
        for (var i = 0; i < 12; i++)
        {
            using var pair = generator.Next(true, 3, -2, 0.2, i % 2 == 0 ? "UBM" : "M1");
            Assert.Contains(pair.DefectKind, DefectKinds.All);
            var centre = pair.DefectCentre!.Value;
            var fromMiddle = Math.Sqrt(Math.Pow(centre.X - 199.5, 2) + Math.Pow(centre.Y - 199.5, 2));
            Assert.InRange(fromMiddle + pair.DefectRadius, 0, 90);
            Assert.InRange(pair.DefectRadius, 4, 40);
        }
    }

    [Fact]
    public void Next_DefectivePair_CarriesAMaskCoveringItsDefect()
    {
        var generator = new AoiPairGenerator(seed: 17, size: 300);
        for (var i = 0; i < 12; i++)
        {
            // Unshifted, so the image is in the template frame too and can be compared with the mask directly.
            using var pair = generator.Next(true, 0, 0, 0, i % 2 == 0 ? "UBM" : "M1");
            var mask = pair.DefectMask!;
            Assert.Equal(MatType.CV_8UC1, mask.Type());
            Assert.Equal(pair.Template.Size(), mask.Size());
            using var partial = mask.InRange(1, 254);
            Assert.Equal(0, Cv2.CountNonZero(partial));
            Assert.True(Cv2.CountNonZero(mask) >= 20, $"{pair.DefectKind}: mask of {Cv2.CountNonZero(mask)} px");

            // Every marked pixel lies within the painted defect's circle (plus its anti-aliased edge).
            using var allowed = new Mat(mask.Size(), MatType.CV_8UC1, Scalar.All(0));
            var centre = pair.DefectCentre!.Value;
            Cv2.Circle(allowed, new Point((int)Math.Round(centre.X), (int)Math.Round(centre.Y)), (int)Math.Ceiling(pair.DefectRadius * 1.5) + 3, Scalar.All(255), -1);
            using var stray = new Mat();
            Cv2.Subtract(mask, allowed, stray);
            Assert.Equal(0, Cv2.CountNonZero(stray));

            var (inside, outside) = PairMetrics.DifferenceInAndOutOfMask(pair.Image, pair.Template, mask);
            Assert.True(inside > 1.4 * outside, $"{pair.DefectKind}: |image − template| {inside:F1} inside the mask, {outside:F1} outside");
        }
    }

    [Fact]
    public void Next_PitchRange_EveryPitchFallsInsideIt()
    {
        var generator = new AoiPairGenerator(seed: 23, size: 300, new PitchRange(20, 90));
        var pitches = new List<int>();
        for (var i = 0; i < 16; i++)
        {
            using var pair = generator.Next(false, 0, 0, 0, i % 2 == 0 ? "BGA" : "UBM");
            pitches.Add(pair.PitchPx);
        }

        Assert.All(pitches, p => Assert.InRange(p, 20, 90));
        // Wider than the default 24–48 in practice, not merely allowed to be.
        Assert.Contains(pitches, p => p < 24 || p > 48);
    }

    [Fact]
    public void Next_DefaultPitchRangeGivenExplicitly_SamePixelsAsWithout()
    {
        using var implicitly = new AoiPairGenerator(seed: 8, size: 300).Next(true, 2.5, -1, 0.3, "UBM");
        using var explicitly = new AoiPairGenerator(seed: 8, size: 300, PitchRange.Default).Next(true, 2.5, -1, 0.3, "UBM");

        Assert.Equal(0, Cv2.Norm(implicitly.Image, explicitly.Image, NormTypes.L1));
        Assert.Equal(0, Cv2.Norm(implicitly.Template, explicitly.Template, NormTypes.L1));
    }

    [Theory]
    [InlineData(11, 48)]
    [InlineData(30, 201)]
    [InlineData(60, 40)]
    public void Constructor_PitchRangeOutOfBounds_Throws(int min, int max) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AoiPairGenerator(seed: 1, size: 300, new PitchRange(min, max)));

    [Fact]
    public void Next_BallArrayProduct_GreenSolderMaskUnlikeBumpsOrGratings()
    {
        var generator = new AoiPairGenerator(seed: 41, size: 300);
        var balls = new List<double>();
        var others = new List<double>();
        for (var i = 0; i < 12; i++)
        {
            var product = (i % 3) switch { 0 => "BGA", 1 => "UBM", _ => "M1" };
            using var pair = generator.Next(false, 0, 0, 0, product);
            (product == "BGA" ? balls : others).Add(GreenExcess(pair.Image));
        }

        // Solder mask is a saturated green over much of a BGA view; polyimide passivation only leans green,
        // copper not at all, so UBM and M1 views have next to none of it.
        var shown = $"BGA {string.Join(", ", balls.Select(g => g.ToString("P0", CultureInfo.InvariantCulture)))}; "
            + $"UBM/M1 {string.Join(", ", others.Select(g => g.ToString("P0", CultureInfo.InvariantCulture)))}";
        Assert.True(balls.Min() > 0.2 && others.Max() < 0.02, shown);
    }

    // Share of pixels whose green stands more than 50 levels above both blue and red.
    private static double GreenExcess(Mat bgr)
    {
        var channels = Cv2.Split(bgr);
        try
        {
            using var others = new Mat();
            Cv2.Max(channels[0], channels[2], others);
            using var excess = new Mat();
            Cv2.Subtract(channels[1], others, excess);
            using var saturated = new Mat();
            Cv2.Threshold(excess, saturated, 50, 255, ThresholdTypes.Binary);
            return Cv2.CountNonZero(saturated) / (double)saturated.Total();
        }
        finally
        {
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }
    }

    [Fact]
    public void Next_OkPair_HasNoDefectAndExpectedFormats()
    {
        using var pair = new AoiPairGenerator(seed: 2, size: 300).Next(false, 0, 0, 0, "UBM");

        Assert.Equal(DefectKinds.None, pair.DefectKind);
        Assert.False(pair.IsDefective);
        Assert.Null(pair.DefectCentre);
        Assert.Null(pair.DefectMask);
        Assert.Equal(MatType.CV_8UC3, pair.Image.Type());
        Assert.Equal(MatType.CV_8UC1, pair.Template.Type());
        Assert.Equal(new Size(300, 300), pair.Image.Size());
        Assert.Equal(new Size(300, 300), pair.Template.Size());
        Assert.Matches(@"^L\d{4}_S\d{2}_U\d{3}_D\d{2}$", pair.Id);
    }
}
