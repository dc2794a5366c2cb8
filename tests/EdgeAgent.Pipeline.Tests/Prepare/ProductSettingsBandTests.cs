using EdgeAgent.Pipeline.Prepare;

namespace EdgeAgent.Pipeline.Tests.Prepare;

/// <summary>The uncertainty band is checked at start: a band the judge could not apply stops the agent with its setting named.</summary>
public sealed class ProductSettingsBandTests
{
    [Fact]
    public void CheckBand_NoThresholdOk_IsTodaysOneThreshold() => new ProductSettings { Threshold = 0.7 }.CheckBand();

    [Fact]
    public void CheckBand_OkEndBelowTheThreshold_Passes() => new ProductSettings { Threshold = 0.7, ThresholdOk = 0.3 }.CheckBand();

    [Fact]
    public void CheckBand_OkEndEqualToTheThreshold_Passes() => new ProductSettings { Threshold = 0.7, ThresholdOk = 0.7 }.CheckBand();

    [Theory]
    [InlineData(0.8, "lies above Threshold")]
    [InlineData(double.NaN, "finite")]
    [InlineData(double.PositiveInfinity, "finite")]
    public void CheckBand_MalformedOkEnd_ThrowsNamingTheSetting(double ok, string message)
    {
        var e = Assert.Throws<FormatException>(() => new ProductSettings { Threshold = 0.7, ThresholdOk = ok }.CheckBand());

        Assert.Contains("ThresholdOk", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckBand_OkEndWithoutThreshold_Throws() =>
        Assert.Contains("needs Threshold", Assert.Throws<FormatException>(() => new ProductSettings { ThresholdOk = 0.3 }.CheckBand()).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData(0.6, true)]
    [InlineData(1.0, true)]
    [InlineData(1.2, false)]
    [InlineData(0.0, false)]
    public void CheckBand_Combination_OkEndIsOnTheCombinedScaleUpToOne(double ok, bool valid)
    {
        var settings = new ProductSettings { Models = ["stpm", "seg"], ThresholdOk = ok };

        var e = Record.Exception(settings.CheckBand);

        Assert.Equal(valid, e is null);
    }
}
