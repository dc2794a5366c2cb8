using EdgeAgent.Score;

namespace EdgeAgent.Core.Tests.Score;

public sealed class ThresholdCalibrationTests
{
    // 1, 2, ..., n: the k-th highest score is n − k + 1, so every expected threshold is exact.
    private static double[] Ramp(int n) => [.. Enumerable.Range(1, n).Select(i => (double)i)];

    [Fact]
    public void Calibrate_OneInAThousand_PutsThresholdMidwayBelowTheTopScore()
    {
        var calibration = ThresholdCalibration.Calibrate(Ramp(1000), [], 0.001);

        Assert.Equal(999.5, calibration.Threshold);
        Assert.Equal(1, calibration.OverkillCount);
        Assert.Equal(0.1, calibration.OverkillPercent, 12);
        Assert.Equal((1000, 0), (calibration.OkCount, calibration.NgCount));
        Assert.Null(calibration.Warning);
    }

    [Fact]
    public void Calibrate_OnePercent_AllowsTenOfAThousand()
    {
        var calibration = ThresholdCalibration.Calibrate(Ramp(1000), [], 0.01);

        Assert.Equal(990.5, calibration.Threshold);
        Assert.Equal(10, calibration.OverkillCount);
    }

    [Fact]
    public void Calibrate_TargetTimesCountJustBelowAnInteger_StillAllowsThatInteger()
    {
        // 0.29 · 100 is 28.999999999999996 in binary floating point.
        var calibration = ThresholdCalibration.Calibrate(Ramp(100), [], 0.29);

        Assert.Equal(71.5, calibration.Threshold);
        Assert.Equal(29, calibration.OverkillCount);
    }

    [Fact]
    public void Calibrate_FewerOkThanOneOverTarget_UsesMaximumPlusMarginAndWarns()
    {
        var calibration = ThresholdCalibration.Calibrate([3, 1, 5, 2, 4], [], 0.001);

        Assert.Equal(5.04, calibration.Threshold, 12); // 5 + 1% of the range 1..5
        Assert.Equal(0, calibration.OverkillCount);
        Assert.NotNull(calibration.Warning);
        Assert.StartsWith("too few OK pairs to show an overkill of 0.1%", calibration.Warning, StringComparison.Ordinal);
        Assert.EndsWith("the threshold is the OK maximum plus margin", calibration.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Calibrate_TiesAtTheCut_NeverExceedTheAllowance()
    {
        double[] scores = [.. Ramp(96), 99, 99, 99, 100];

        var calibration = ThresholdCalibration.Calibrate(scores, [], 0.02);

        // Two may be flagged, but the second- to fourth-highest are equal: only the 100 can be.
        Assert.Equal(99.5, calibration.Threshold);
        Assert.Equal(1, calibration.OverkillCount);
    }

    [Fact]
    public void Calibrate_TiedMaximumAtTheCut_FallsBackToMaximumPlusMargin()
    {
        double[] scores = [.. Ramp(97), 100, 100, 100];

        var calibration = ThresholdCalibration.Calibrate(scores, [], 0.02);

        Assert.Equal(100.99, calibration.Threshold, 12);
        Assert.Equal(0, calibration.OverkillCount);
        Assert.Null(calibration.Warning);
    }

    [Fact]
    public void Calibrate_AllOkScoresEqual_StillLandsAboveThem()
    {
        var calibration = ThresholdCalibration.Calibrate([2, 2, 2], [], 0.01);

        Assert.Equal(2.02, calibration.Threshold, 12);
        Assert.Equal(0, calibration.OverkillCount);
    }

    [Fact]
    public void Calibrate_WithNg_ReportsRecallEscapesAndAveragePrecision()
    {
        var calibration = ThresholdCalibration.Calibrate(Ramp(100), [50.5, 99.7, 150, 200], 0.01);

        Assert.Equal(99.5, calibration.Threshold);
        Assert.Equal(0.75, calibration.Recall);
        Assert.Equal(1, calibration.Escapes);
        // NG ranks 1, 2, 4 and 54 (behind the OK scores 51..100): precisions 1, 1, 3/4, 4/54.
        Assert.Equal((1 + 1 + 0.75 + (4.0 / 54)) / 4, calibration.NgAveragePrecision!.Value, 12);
    }

    [Fact]
    public void Calibrate_WithoutNg_LeavesNgFiguresEmpty()
    {
        var calibration = ThresholdCalibration.Calibrate(Ramp(10), [], 0.1);

        Assert.Null(calibration.Recall);
        Assert.Null(calibration.Escapes);
        Assert.Null(calibration.NgAveragePrecision);
    }

    [Fact]
    public void Calibrate_OkQuantiles_InterpolateBetweenOrderStatistics()
    {
        var q = ThresholdCalibration.Calibrate(Ramp(1000), [], 0.001).OkQuantiles;

        Assert.Equal(500.5, q.P50, 9);
        Assert.Equal(900.1, q.P90, 9);
        Assert.Equal(990.01, q.P99, 9);
        Assert.Equal(999.001, q.P999, 9);
        Assert.Equal(1000, q.Max);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Calibrate_TargetOutsideRange_Throws(double target) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ThresholdCalibration.Calibrate(Ramp(10), [], target));

    [Fact]
    public void Calibrate_NoOkScore_Throws() =>
        Assert.Throws<ArgumentException>(() => ThresholdCalibration.Calibrate([], [1], 0.01));

    [Fact]
    public void Calibrate_NonFiniteScore_Throws() =>
        Assert.Throws<ArgumentException>(() => ThresholdCalibration.Calibrate([1, double.NaN], [], 0.01));
}
