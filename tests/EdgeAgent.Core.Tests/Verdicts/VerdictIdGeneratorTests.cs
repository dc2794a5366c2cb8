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

    // Issue 17, hole 4: ids of one millisecond were consecutive, so a spoofer pre-published the next ones.
    [Fact]
    public void Next_SameMillisecond_NextIdCannotBeGuessedFromTheLast()
    {
        var ids = new VerdictIdGenerator(new FakeTimeProvider());

        var values = Enumerable.Range(0, 1000).Select(_ => VerdictIdGenerator.ValueOf(ids.Next())).ToList();

        var freshMask = (UInt128.One << VerdictIdGenerator.FreshRandomBits) - 1;
        var pairs = values.Zip(values.Skip(1)).ToList();
        // Still in the order made, but the guess "last + 1" (what the ULID spec's monotonic ids give) never hits.
        Assert.All(pairs, p => Assert.True(p.Second > p.First));
        Assert.DoesNotContain(pairs, p => p.Second == p.First + 1);
        // The low 64 bits are fresh CSPRNG bits each time: about half of them differ between neighbours (32 ± 4 for
        // one pair, so an average outside 28..36 over 999 pairs would be a broken generator, not chance).
        var flipped = pairs.Select(p => (double)ulong.PopCount((ulong)((p.First ^ p.Second) & freshMask))).Average();
        Assert.InRange(flipped, 28, 36);
        Assert.Equal(values.Count, values.Select(v => (ulong)(v & freshMask)).Distinct().Count());
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
