using EdgeAgent.Verdicts;

namespace EdgeAgent.Core.Tests.Verdicts;

/// <summary>The counting and time parsing shared by <c>logs</c> and the dashboard.</summary>
public sealed class VerdictStatsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Add_MixedVerdicts_CountsPerUtcHourAndPerProductWithNgRate()
    {
        var stats = new VerdictStats();
        foreach (var (kind, at, product) in new[]
        {
            (VerdictKind.Ok, Now.AddHours(-1), "UBM"), (VerdictKind.Ng, Now.AddHours(-1), "M1"),
            (VerdictKind.Ng, Now, "M1"), (VerdictKind.Error, new DateTimeOffset(2026, 11, 23, 20, 10, 0, TimeSpan.FromHours(8)), "M1"),
        })
        {
            stats.Add(Make(kind, at, product));
        }

        Assert.Equal(["2026-11-23 11:00", "2026-11-23 12:00"], stats.PerHour.Select(h => h.Key));
        Assert.Equal(new VerdictCounts("2026-11-23 12:00", 2, 0, 1, 0, 1), stats.PerHour[1]);
        Assert.Equal(new VerdictCounts("M1", 3, 0, 2, 0, 1), stats.PerProduct[0]);
        Assert.Equal(50.0, stats.All.NgPercent);
        Assert.Equal(0, new VerdictStats().All.NgPercent);
    }

    [Theory]
    [InlineData("30m", "2026-11-23T12:00:00+00:00")]
    [InlineData("2h", "2026-11-23T10:30:00+00:00")]
    [InlineData("1.5d", "2026-11-22T00:30:00+00:00")]
    [InlineData("2026-11-20T08:00:00", "2026-11-20T08:00:00+00:00")]
    [InlineData("2026-11-20T08:00:00+08:00", "2026-11-20T00:00:00+00:00")]
    public void Parse_RelativeOrIso_TheTimeMeant(string text, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), RelativeTime.Parse(text, Now));

    [Theory]
    [InlineData("yesterday")]
    [InlineData("-2h")]
    [InlineData("h")]
    public void Parse_Neither_Null(string text) => Assert.Null(RelativeTime.Parse(text, Now));

    private static Verdict Make(VerdictKind outcome, DateTimeOffset at, string product) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Seq = 0,
        PairId = "p",
        Product = product,
        Image = new SourceFile("/aoi/p_image.png", null),
        Outcome = outcome,
        TimingsMs = new Timings(0, 0, 0, 0, 0),
        Station = new StationIdentity("s", "a", "l", "st"),
        JudgedAt = at,
    };
}
