using System.Threading.Channels;
using EdgeAgent.Pipeline.Judge;

namespace EdgeAgent.Pipeline.Tests.Judge;

/// <summary>
/// How prepared pairs are cut into batches: full batches in order, a model change ends a batch, a lone pair
/// is never held for company. The waits checked here are liveness bounds (a batch that never comes fails the
/// test), not speed claims.
/// </summary>
public sealed class DynamicBatcherTests
{
    private static readonly TimeSpan Liveness = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task NextAsync_ItemsAlreadyPrepared_FullBatchesInOrderThenTheRest()
    {
        var source = Source(Enumerable.Range(0, 10).Select(i => ("m", i)), complete: true);
        var batcher = Batcher(source, maxBatch: 4, maxWait: TimeSpan.FromHours(1), moreComing: () => true);

        var batches = await Drain(batcher);

        Assert.Equal([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]], batches);
    }

    [Fact]
    public async Task NextAsync_ModelChangesMidStream_EndsTheBatchAndTheOtherModelHeadsTheNext()
    {
        var source = Source([("a", 0), ("a", 1), ("b", 2), ("b", 3), ("a", 4)], complete: true);
        var batcher = Batcher(source, maxBatch: 8, maxWait: TimeSpan.FromHours(1), moreComing: () => true);

        var batches = await Drain(batcher);

        Assert.Equal([[0, 1], [2, 3], [4]], batches);
    }

    [Fact]
    public async Task NextAsync_LonePairWithNothingBehindIt_JudgedAtOnceNotHeldForTheMaximumWait()
    {
        var source = Source([("m", 0)], complete: false);
        var batcher = Batcher(source, maxBatch: 8, maxWait: TimeSpan.FromHours(1), moreComing: () => false);

        var batch = await batcher.NextAsync(CancellationToken.None).WaitAsync(Liveness);

        Assert.Equal([0], batch!.Select(i => i.Value));
    }

    [Fact]
    public async Task NextAsync_MoreAnnouncedButLate_LonePairFlushedAfterTheMaximumWait()
    {
        var source = Source([("m", 0)], complete: false);
        var batcher = Batcher(source, maxBatch: 8, maxWait: TimeSpan.FromMilliseconds(50), moreComing: () => true);

        var first = await batcher.NextAsync(CancellationToken.None).WaitAsync(Liveness);
        source.Writer.TryWrite(Task.FromResult(("m", 1)));
        var second = await batcher.NextAsync(CancellationToken.None).WaitAsync(Liveness);

        Assert.Equal([0], first!.Select(i => i.Value));
        Assert.Equal([1], second!.Select(i => i.Value));
    }

    [Fact]
    public async Task NextAsync_NextPairStillBeingPrepared_WaitsForItWithinTheMaximumWait()
    {
        var source = Source([("m", 0)], complete: false);
        var preparing = new TaskCompletionSource<(string, int)>(TaskCreationOptions.RunContinuationsAsynchronously);
        source.Writer.TryWrite(preparing.Task);
        var batcher = Batcher(source, maxBatch: 2, maxWait: TimeSpan.FromHours(1), moreComing: () => true);

        var next = batcher.NextAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(next.IsCompleted);
        preparing.SetResult(("m", 1));

        Assert.Equal([0, 1], (await next.WaitAsync(Liveness))!.Select(i => i.Value));
    }

    private static Channel<Task<(string Key, int Value)>> Source(IEnumerable<(string, int)> items, bool complete)
    {
        var channel = Channel.CreateUnbounded<Task<(string Key, int Value)>>();
        foreach (var item in items)
        {
            channel.Writer.TryWrite(Task.FromResult(item));
        }

        if (complete)
        {
            channel.Writer.Complete();
        }

        return channel;
    }

    private static DynamicBatcher<(string Key, int Value)> Batcher(Channel<Task<(string Key, int Value)>> source, int maxBatch, TimeSpan maxWait, Func<bool> moreComing) =>
        new(source.Reader, item => item.Key, maxBatch, maxWait, moreComing, TimeProvider.System);

    private static async Task<List<int[]>> Drain(DynamicBatcher<(string Key, int Value)> batcher)
    {
        var batches = new List<int[]>();
        while (await batcher.NextAsync(CancellationToken.None).WaitAsync(Liveness) is { } batch)
        {
            batches.Add([.. batch.Select(i => i.Value)]);
        }

        return batches;
    }
}
