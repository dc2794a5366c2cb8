using EdgeAgent.Verdicts;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Core.Tests.Verdicts;

public sealed class VerdictIdGeneratorTests
{
    [Fact]
    public void Next_LaterTime_SortsAfterEarlierIds()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var ids = new VerdictIdGenerator(time);
        var first = ids.Next();
        time.Advance(TimeSpan.FromMilliseconds(1));

        var second = ids.Next();

        Assert.Equal(26, first.Length);
        Assert.True(string.CompareOrdinal(first, second) < 0);
        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{26}$", second);
    }

    [Fact]
    public void Next_SameMillisecond_DistinctIdsInTheOrderMade()
    {
        var ids = new VerdictIdGenerator(new FakeTimeProvider());

        var many = Enumerable.Range(0, 1000).Select(_ => ids.Next()).ToList();

        Assert.Equal(1000, many.Distinct().Count());
        Assert.Equal(many, many.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Next_ClockSteppedBack_StillSortsAfterTheLastId()
    {
        var time = new SteppingClock { Now = DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture) };
        var ids = new VerdictIdGenerator(time);
        var before = ids.Next();
        time.Now = time.Now.AddSeconds(-30); // NTP stepping the clock back

        var after = ids.Next();

        Assert.True(string.CompareOrdinal(before, after) < 0);
        Assert.Equal(VerdictIdGenerator.TimestampOf(before), VerdictIdGenerator.TimestampOf(after));
    }

    // FakeTimeProvider refuses to go back in time; a real clock does not.
    private sealed class SteppingClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
