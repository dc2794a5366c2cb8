using EdgeAgent.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Core.Tests.Resilience;

public sealed class WakeSignalTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task WaitAsync_SetBeforeWaiting_ReturnsTrueAtOnce()
    {
        var signal = new WakeSignal(_time);
        signal.Set();

        Assert.True(await signal.WaitAsync(TimeSpan.FromMinutes(1), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task WaitAsync_ManySetsBeforeWaiting_WakeOnce()
    {
        var signal = new WakeSignal(_time);
        signal.Set();
        signal.Set();
        signal.Set();

        Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None));
        var second = signal.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.False(await second.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task WaitAsync_NoSignal_FalseOnlyWhenTheClockReachesTheTimeout()
    {
        var signal = new WakeSignal(_time);

        var wait = signal.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.False(wait.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task WaitAsync_SetWhileWaiting_ReturnsTrueBeforeTheTimeout()
    {
        var signal = new WakeSignal(_time);
        var wait = signal.WaitAsync(Timeout.InfiniteTimeSpan, CancellationToken.None);

        signal.Set();

        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task WaitAsync_ZeroTimeoutNoSignal_ReturnsFalseAtOnce()
    {
        var signal = new WakeSignal(_time);

        Assert.False(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task WaitAsync_Cancelled_Throws()
    {
        var signal = new WakeSignal(_time);
        using var stop = new CancellationTokenSource();
        var wait = signal.WaitAsync(TimeSpan.FromMinutes(1), stop.Token);

        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }
}
