using EdgeAgent.Align;
using EdgeAgent.Vision.Align;

namespace EdgeAgent.Vision.Tests.Align;

public sealed class AlignmentResidualTests
{
    [Fact]
    public void MaxCornerError_PureShiftDifference_EqualsShiftLength()
    {
        var truth = new Alignment(5, -3, 0.4, 1);
        var estimate = truth with { Dx = 5.3, Dy = -3.4 };

        Assert.Equal(0.5, AlignmentResidual.MaxCornerError(estimate, truth, 600), 6);
    }

    [Fact]
    public void MaxCornerError_AngleDifference_GrowsWithCornerRadius()
    {
        var truth = new Alignment(0, 0, 0, 1);
        var estimate = truth with { AngleDeg = 0.1 };
        // The corner pixels of the centred 256 window lie 127.5·√2 px from the centre.
        var expected = 2 * 127.5 * Math.Sqrt(2) * Math.Sin(0.1 * Math.PI / 360);

        Assert.Equal(expected, AlignmentResidual.MaxCornerError(estimate, truth, 600), 6);
        Assert.Equal(0, AlignmentResidual.MaxCornerError(truth, truth, 600));
    }
}
