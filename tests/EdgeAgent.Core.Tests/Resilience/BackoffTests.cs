using EdgeAgent.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Core.Tests.Resilience;

public sealed class BackoffTests
{
    [Fact]
    public void NextDelay_RepeatedFailures_DoublesFromFirstToCap()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), new FakeTimeProvider());

        var delays = Enumerable.Range(0, 6).Select(_ => backoff.NextDelay().TotalSeconds).ToList();

        Assert.Equal([1, 2, 4, 8, 8, 8], delays);
        Assert.Equal(6, backoff.Failures);
    }

    [Fact]
    public void NextDelay_WithJitter_StaysWithinTheSpreadAroundEachStep()
    {
        for (var i = 0; i < 200; i++)
        {
            var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), new FakeTimeProvider(), jitter: 0.2);

            var (first, second) = (backoff.NextDelay().TotalSeconds, backoff.NextDelay().TotalSeconds);

            Assert.InRange(first, 0.8, 1.2);
            Assert.InRange(second, 1.6, 2.4);
        }
    }

    [Fact]
    public void Reset_AfterFailures_NextDelayIsTheFirstAgain()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), new FakeTimeProvider());
        backoff.NextDelay();
        backoff.NextDelay();

        backoff.Reset();

        Assert.Equal((TimeSpan.FromMilliseconds(50), 1), (backoff.NextDelay(), backoff.Failures));
    }

    [Fact]
    public void Ctor_CapBelowFirst_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), new FakeTimeProvider()));

    [Fact]
    public async Task RetryAsync_TwoTransientFailures_WaitsEachDelayOnTheClockThenReturns()
    {
        var time = new FakeTimeProvider();
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), time);
        var attempts = 0;
        var retries = new List<TimeSpan>();

        var result = backoff.RetryAsync(
            () => ++attempts <= 2 ? throw new IOException("disk full") : 42,
            e => e is IOException,
            (_, delay) => retries.Add(delay),
            CancellationToken.None);

        // The first attempt ran synchronously; its retry waits 1 s of the fake clock.
        Assert.Equal(1, attempts);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1, Volatile.Read(ref attempts));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref attempts) == 2, TimeSpan.FromSeconds(10)));
        time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(result.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(42, await result.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], retries);
        Assert.Equal(0, backoff.Failures);
    }

    [Fact]
    public async Task RetryAsync_NotTransient_PropagatesWithoutWaiting()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), new FakeTimeProvider());

        await Assert.ThrowsAsync<InvalidOperationException>(() => backoff.RetryAsync<int>(
            () => throw new InvalidOperationException("bug"), e => e is IOException, (_, _) => { }, CancellationToken.None));

        Assert.Equal(0, backoff.Failures);
    }
}
