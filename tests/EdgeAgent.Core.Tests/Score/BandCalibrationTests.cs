using EdgeAgent.Score;

namespace EdgeAgent.Core.Tests.Score;

public sealed class BandCalibrationTests
{
    // OK scores 0..9 and NG scores 5..204: they overlap on 5..9, so one threshold above the OK maximum lets five NG escape.
    private static readonly double[] Ok = [.. Enumerable.Range(0, 10).Select(i => (double)i)];
    private static readonly double[] Ng = [.. Enumerable.Range(5, 200).Select(i => (double)i)];

    [Fact]
    public void Propose_HalfAPercentOfTwoHundredNg_AllowsOneEscapeAndSendsTheOverlapToReview()
    {
        var band = BandCalibration.Propose(Ok, Ng, 9.5, 0.005);

        // The second-lowest NG (6) must not escape: the OK end goes midway to the next score down (5).
        Assert.Equal((5.5, 9.5), (band.Ok, band.Ng));
        Assert.Equal(1, band.Band.Escapes);
        Assert.True(band.Band.EscapeRate <= band.TargetEscape);
        Assert.Equal((5, 0.025), (band.Single.Escapes, band.Single.EscapeRate));
        Assert.Equal(0, band.Band.Overkill);
        // Between 5.5 and 9.5: OK 6..9 and NG 6..9.
        Assert.Equal(8, band.Band.Review);
        Assert.Equal(1 - (8.0 / 210), band.Band.Settled, 12);
        Assert.Equal(1, band.Single.Settled);
        Assert.Null(band.Warning);
    }

    [Fact]
    public void Propose_NgAllAboveTheThreshold_CollapsesOntoOneThreshold()
    {
        var band = BandCalibration.Propose(Ok, [20, 30], 9.5, 0.005);

        Assert.Equal(band.Ng, band.Ok);
        Assert.Equal((0, 1.0), (band.Band.Review, band.Band.Settled));
    }

    [Fact]
    public void Propose_TooFewNgForTheTarget_StaysUnderTheLowestNgAndWarns()
    {
        var band = BandCalibration.Propose([1, 2], [0.5, 3], 2.5, 0.005);

        Assert.True(band.Ok < 0.5);
        Assert.Equal(0, band.Band.Escapes);
        Assert.Contains("too few NG pairs", band.Warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    public void Propose_TargetOutsideZeroToOne_Throws(double target) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BandCalibration.Propose(Ok, Ng, 9.5, target));

    [Fact]
    public void Propose_NoNgScore_Throws() => Assert.Throws<ArgumentException>(() => BandCalibration.Propose(Ok, [], 9.5, 0.005));
}
