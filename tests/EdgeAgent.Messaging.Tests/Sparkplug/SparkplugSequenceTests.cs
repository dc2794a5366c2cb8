using EdgeAgent.Messaging.Sparkplug;

namespace EdgeAgent.Messaging.Tests.Sparkplug;

public sealed class SparkplugSequenceTests
{
    [Fact]
    public void Next_AfterBirth_CountsFromOneAndWrapsAfter255()
    {
        var seq = new SparkplugSequence();

        Assert.Equal(0UL, seq.Birth());
        var next = Enumerable.Range(0, 257).Select(_ => seq.Next()).ToList();

        Assert.Equal(1UL, next[0]);
        Assert.Equal(255UL, next[254]);
        Assert.Equal([0UL, 1UL], next[255..]);
    }

    [Fact]
    public void Birth_MidSequence_StartsAgainAtZero()
    {
        var seq = new SparkplugSequence();
        seq.Birth();
        seq.Next();
        seq.Next();

        Assert.Equal(0UL, seq.Birth());
        Assert.Equal(1UL, seq.Next());
    }
}
