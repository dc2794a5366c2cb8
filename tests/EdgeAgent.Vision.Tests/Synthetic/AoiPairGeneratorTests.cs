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
    public void Next_OkPair_HasNoDefectAndExpectedFormats()
    {
        using var pair = new AoiPairGenerator(seed: 2, size: 300).Next(false, 0, 0, 0, "UBM");

        Assert.Equal(DefectKinds.None, pair.DefectKind);
        Assert.False(pair.IsDefective);
        Assert.Null(pair.DefectCentre);
        Assert.Equal(MatType.CV_8UC3, pair.Image.Type());
        Assert.Equal(MatType.CV_8UC1, pair.Template.Type());
        Assert.Equal(new Size(300, 300), pair.Image.Size());
        Assert.Equal(new Size(300, 300), pair.Template.Size());
        Assert.Matches(@"^L\d{4}_S\d{2}_U\d{3}_D\d{2}$", pair.Id);
    }
}
