using EdgeAgent.Score;

namespace EdgeAgent.Core.Tests.Score;

public sealed class AveragePrecisionTests
{
    [Fact]
    public void Compute_PerfectRanking_IsOne() =>
        Assert.Equal(1.0, AveragePrecision.Compute([(3, true), (2, true), (1, false)]));

    [Fact]
    public void Compute_NgRankedSecond_IsHalf() =>
        Assert.Equal(0.5, AveragePrecision.Compute([(3, false), (2, true), (1, false)]));
}
