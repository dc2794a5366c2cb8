using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Synthetic;

namespace EdgeAgent.Vision.Tests.Align;

public sealed class ImageAlignerResidualTests
{
    private readonly ImageAligner _aligner = new(new AlignmentOptions());

    [Theory]
    [InlineData("UBM", 4.2, -7.5, 0.6)]
    [InlineData("M1", -12.1, 3.3, -0.8)]
    [InlineData("BGA", 15.7, 11.2, 0.9)]
    public void Estimate_GeneratedPair_ReportsTheResidualOfItsOwnAnswer(string product, double dx, double dy, double angle)
    {
        using var pair = new AoiPairGenerator(seed: 61).Next(true, dx, dy, angle, product);

        var estimate = _aligner.Estimate(pair.Image, pair.Template);

        var truth = AlignmentResidual.MaxCornerError(estimate.Alignment, pair.Truth, pair.Template.Cols);
        Assert.True(estimate.Trusted, estimate.UntrustedReason);
        Assert.NotNull(estimate.Alignment.ResidualPx);
        Assert.InRange(estimate.Alignment.ResidualPx!.Value, 0, 0.5);
        Assert.InRange(estimate.Alignment.ResidualPx!.Value - truth, -0.3, 0.3);
    }

    [Theory]
    [InlineData("UBM", 1)]
    [InlineData("UBM", 2)]
    [InlineData("BGA", 4)]
    [InlineData("BGA", 8)]
    [InlineData("M1", 4)]
    public void MeasureResidual_AlignmentOffOnPurpose_ReportsByHowMuch(string product, double misregistration)
    {
        using var pair = new AoiPairGenerator(seed: 62).Next(false, 6.5, -3.2, 0.4, product);
        var wrong = pair.Truth with { Dx = pair.Dx + (0.6 * misregistration), Dy = pair.Dy - (0.8 * misregistration) };

        var residual = _aligner.MeasureResidual(pair.Image, pair.Template, wrong);

        Assert.InRange(residual, misregistration - 0.3, misregistration + 0.3);
    }

    [Fact]
    public void Estimate_MagnificationMismatch_ResidualAboveTheBoundUntrusted()
    {
        // 3 % magnification: no rigid transform fits, and the 256-crop's corners stay ~5 px off whatever the aligner does.
        using var pair = new AoiPairGenerator(seed: 63).Next(false, 3, 2, 0.2, "UBM");
        using var magnified = ArrangedPairs.Magnified(pair.Image, 1.03);

        var estimate = _aligner.Estimate(magnified, pair.Template);

        Assert.False(estimate.Trusted);
        Assert.InRange(estimate.Alignment.ResidualPx!.Value, 4, 7);
        Assert.StartsWith("residual misregistration", estimate.UntrustedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Estimate_MagnificationMismatchUnderARaisedBound_Trusted()
    {
        using var pair = new AoiPairGenerator(seed: 63).Next(false, 3, 2, 0.2, "UBM");
        using var magnified = ArrangedPairs.Magnified(pair.Image, 1.03);

        var estimate = new ImageAligner(new AlignmentOptions { MaxResidualPx = 8 }).Estimate(magnified, pair.Template);

        Assert.True(estimate.Trusted, estimate.UntrustedReason);
    }
}
