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
    public void Next_SameMillisecond_GivesDistinctIds()
    {
        var ids = new VerdictIdGenerator(new FakeTimeProvider());

        var many = Enumerable.Range(0, 1000).Select(_ => ids.Next()).ToHashSet();

        Assert.Equal(1000, many.Count);
    }
}
