using EdgeAgent.Score;

namespace EdgeAgent.Core.Tests.Score;

public sealed class RegionFinderTests
{
    [Fact]
    public void Read_SpeckBelowTheMinimumArea_IgnoredSoTheScoreStaysBelowThreshold()
    {
        var map = Map(8, (1, 1, 0.9f), (6, 6, 0.3f));

        var reading = RegionFinder.Read(map, 8, 8, threshold: 0.5, minArea: 2);

        Assert.Empty(reading.Regions);
        Assert.Equal(0.3, reading.Score, 6);
        Assert.Equal((6, 6), (reading.PeakX, reading.PeakY));
    }

    [Fact]
    public void Read_MinimumAreaOne_ScoreIsThePlainMaximum()
    {
        var map = Map(8, (1, 1, 0.9f), (6, 6, 0.3f));

        var reading = RegionFinder.Read(map, 8, 8, threshold: 0.5, minArea: 1);

        Assert.Equal(0.9, reading.Score, 6);
        Assert.Equal(new MapRegion(1, 1, 1, 1, 1, 0.9f), Assert.Single(reading.Regions));
    }

    [Fact]
    public void Read_DiagonalNeighbours_OneRegionUnderEightConnectivity()
    {
        var map = Map(8, (2, 2, 0.8f), (3, 3, 0.7f), (4, 4, 0.6f));

        var region = Assert.Single(RegionFinder.Read(map, 8, 8, threshold: 0.5, minArea: 3).Regions);

        Assert.Equal((2, 2, 3, 3, 3), (region.X, region.Y, region.Width, region.Height, region.Area));
    }

    private static float[] Map(int side, params (int X, int Y, float P)[] points)
    {
        var map = new float[side * side];
        foreach (var (x, y, p) in points)
        {
            map[(y * side) + x] = p;
        }

        return map;
    }
}
