using EdgeAgent.Messaging.Sparkplug;
using EdgeAgent.Testing;

namespace EdgeAgent.Messaging.Tests.Sparkplug;

public sealed class BdSeqStoreTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private string File => Path.Combine(_temp.Path, "data", "sparkplug-bdseq");

    [Fact]
    public void Next_NewBox_StartsAtZeroAndCountsPerConnect()
    {
        var store = new BdSeqStore(File);

        Assert.Equal([0L, 1L, 2L], [store.Next(out var a), store.Next(out var b), store.Next(out var c)]);
        Assert.All(new[] { a, b, c }, Assert.Null);
    }

    [Fact]
    public void Next_AfterRestart_GoesOnFromTheLastValueSent()
    {
        var before = new BdSeqStore(File);
        before.Next(out _);
        before.Next(out _);

        Assert.Equal(2L, new BdSeqStore(File).Next(out _));
    }

    [Fact]
    public void Next_After255_WrapsToZero()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(File)!);
        System.IO.File.WriteAllText(File, "255");

        Assert.Equal(0L, new BdSeqStore(File).Next(out _));
    }

    [Fact]
    public void Unused_ConnectNeverSent_SameValueNextTimeAlsoAfterRestart()
    {
        var store = new BdSeqStore(File);
        store.Next(out _);
        var refused = store.Next(out _);

        store.Unused(refused);

        Assert.Equal(1L, refused);
        Assert.Equal(1L, new BdSeqStore(File).Next(out _));
    }

    [Fact]
    public void Unused_FirstEverConnectNeverSent_NextIsZeroAgain()
    {
        var store = new BdSeqStore(File);
        store.Unused(store.Next(out _));

        Assert.Equal(0L, store.Next(out _));
    }

    [Fact]
    public void Unused_NotTheLastValue_Ignored()
    {
        var store = new BdSeqStore(File);
        var used = store.Next(out _);
        store.Next(out _);

        store.Unused(used);

        Assert.Equal(2L, store.Next(out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("banana")]
    [InlineData("256")]
    [InlineData("-3")]
    public void Next_FileNotABdSeq_StartsAtZero(string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(File)!);
        System.IO.File.WriteAllText(File, content);

        Assert.Equal(0L, new BdSeqStore(File).Next(out _));
    }

    [Fact]
    public void Next_FileCannotBeWritten_GoesOnInMemoryAndSaysWhy()
    {
        var blocked = Path.Combine(_temp.Path, "not-a-folder");
        System.IO.File.WriteAllText(blocked, "a file where the folder should be");
        var store = new BdSeqStore(Path.Combine(blocked, "sparkplug-bdseq"));

        Assert.Equal(0L, store.Next(out var first));
        Assert.Equal(1L, store.Next(out _));
        Assert.NotNull(first);
    }

    public void Dispose() => _temp.Dispose();
}
