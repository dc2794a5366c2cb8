using EdgeAgent.Score;

namespace EdgeAgent.Core.Tests.Score;

public sealed class ScoreCalculatorTests
{
    private const int Size = 8;

    [Fact]
    public void Compute_NoMask_ScoreIsMaxOfWeightedSum()
    {
        var maps = new float[3 * Size * Size];
        maps[10] = 1f;                      // layer 1 at (2, 1)
        maps[(Size * Size) + 10] = 2f;      // layer 2 at (2, 1)
        maps[(2 * Size * Size) + 40] = 3f;  // layer 3 at (0, 5)
        var calculator = new ScoreCalculator(new ScoreParameters([0.5, 1, 0.5], MaskSpec.Parse("none"), 1.7), Size);

        var result = calculator.Compute(maps, new float[Size * Size]);

        Assert.Equal(2.5, result.Score, 6);       // 0.5·1 + 1·2 beats 0.5·3
        Assert.Equal([1.0, 2.0, 3.0], result.LayerMaxima);
        Assert.Equal((2, 1), (result.PeakX, result.PeakY));
    }

    [Fact]
    public void Compute_CentreMask_IgnoresResponsesOutsideTheSquare()
    {
        var maps = new float[3 * Size * Size];
        maps[Size * Size] = 9f;                        // layer 2 at the corner (0, 0): masked out
        maps[(Size * Size) + (4 * Size) + 4] = 1f;     // layer 2 at the centre
        var calculator = new ScoreCalculator(new ScoreParameters([1, 1, 1], MaskSpec.Parse("centre:0.5"), 1), Size);

        var result = calculator.Compute(maps, new float[Size * Size]);

        Assert.Equal(1.0, result.Score, 6);
        Assert.Equal(1.0, result.LayerMaxima[1], 6);
    }

    [Fact]
    public void Compute_GaussianMask_WeighsByDistanceFromCentre()
    {
        var maps = new float[3 * Size * Size];
        maps[0] = 1f; // layer 1 at (0, 0)
        var calculator = new ScoreCalculator(new ScoreParameters([1, 0, 0], MaskSpec.Parse("gaussian:0.25"), 1), Size);

        var result = calculator.Compute(maps, new float[Size * Size]);

        double c = (Size - 1) / 2.0, sigma = 0.25 * Size;
        Assert.Equal(Math.Exp(-(2 * c * c) / (2 * sigma * sigma)), result.Score, 6);
    }

    [Fact]
    public void Constructor_AllZeroWeights_Throws() =>
        Assert.Throws<FormatException>(() => new ScoreCalculator(new ScoreParameters([0, 0, 0], MaskSpec.Parse("none"), 1), Size));
}
