using EdgeAgent.Score;

namespace EdgeAgent.Core.Tests.Score;

/// <summary>The out-of-distribution bound follows the threshold rule on OK pairs' template distances and says where other products fall.</summary>
public sealed class OodCalibrationTests
{
    [Fact]
    public void Propose_TwoHundredOkDistances_AllowsOneBeyondAtHalfAPercentAndCountsOthersBeyond()
    {
        var ok = Enumerable.Range(1, 200).Select(i => 0.5 + (i / 100.0)).ToList(); // 0.51 .. 2.50
        double[] others = [1.0, 2.6, 3.0, 4.0];

        var k = OodCalibration.Propose(ok, 0.005, modelBound: 2.0, others);

        Assert.InRange(k.Bound, 2.49, 2.50); // between the second-highest (2.49) and the highest (2.50) OK distance
        Assert.Equal((200, 1), (k.OkCount, k.OkBeyond));
        Assert.Equal((4, 3, 1.0), (k.OthersCount!.Value, k.OthersBeyond!.Value, k.OthersMin!.Value));
        Assert.Equal((50, 3), (k.OkBeyondModelBound!.Value, k.OthersBeyondModelBound!.Value));
        Assert.Contains("3 of 4 beyond the bound", k.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Propose_WithoutOthersOrModelBound_LeavesThoseFiguresOut()
    {
        var k = OodCalibration.Propose([1.0, 1.1, 0.9], 0, modelBound: null, others: null);

        Assert.True(k.Bound > 1.1);
        Assert.Null(k.OthersCount);
        Assert.Null(k.OkBeyondModelBound);
        Assert.DoesNotContain("others", k.Describe(), StringComparison.Ordinal);
    }
}
