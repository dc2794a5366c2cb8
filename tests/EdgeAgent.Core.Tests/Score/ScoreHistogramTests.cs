using EdgeAgent.Score;

namespace EdgeAgent.Core.Tests.Score;

public sealed class ScoreHistogramTests
{
    // OK 0..9 and NG 19, 20 over [0, 20] in 20 bins: bin b covers [b, b+1), the top bin also holds 20.
    private static readonly double[] Ok = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    private static readonly double[] Ng = [19, 20];

    [Fact]
    public void Render_TwentyBins_HasHeaderAndOneLinePerBin()
    {
        var lines = ScoreHistogram.Render(Ok, Ng, 15).Split('\n');

        Assert.Equal(21, lines.Length);
        Assert.Contains("OK", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("     0.0000", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("    19.0000", lines[20], StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ThresholdBin_IsTheOnlyOneMarked()
    {
        var lines = ScoreHistogram.Render(Ok, Ng, 15).Split('\n');

        var marked = Assert.Single(lines, l => l.Contains("<- threshold 15.0000", StringComparison.Ordinal));
        Assert.StartsWith("    15.0000 >", marked, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Counts_AreBinnedWithTheTopEdgeInTheLastBin()
    {
        var lines = ScoreHistogram.Render(Ok, Ng, 15).Split('\n');

        Assert.Matches(@"^\s+0\.0000\s+1 #+\s+\|\s+0$", lines[1]);
        Assert.Matches(@"^\s+10\.0000\s+0\s+\|\s+0$", lines[11]);
        Assert.Matches(@"^\s+19\.0000\s+0\s+\|\s+2 \+{30}$", lines[20]);
    }

    [Fact]
    public void Render_ThresholdAboveAllScores_StretchesTheRangeToShowIt()
    {
        var lines = ScoreHistogram.Render([1, 2], [], 3, bins: 4).Split('\n');

        Assert.Contains("<- threshold 3.0000", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Render_AllScoresEqual_PutsEverythingInTheFirstBin()
    {
        var lines = ScoreHistogram.Render([2, 2, 2], [], 2, bins: 3).Split('\n');

        Assert.Matches(@"^\s+2\.0000 >\s+3 #{30} \|\s+0\s+<- threshold", lines[1]);
    }
}
