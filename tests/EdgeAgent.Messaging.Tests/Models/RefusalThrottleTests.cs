using EdgeAgent.Messaging.Models;

namespace EdgeAgent.Messaging.Tests.Models;

public sealed class RefusalThrottleTests
{
    [Fact]
    public void Admit_FloodWithinAMinute_AdmitsTheLimitThenHandsTheSuppressedCountToTheNextWindow()
    {
        var clock = new ManualClock();
        var throttle = new RefusalThrottle(3, clock);

        var admitted = Enumerable.Range(0, 20_000).Count(i => throttle.Admit(out _, out _));
        clock.Offset = TimeSpan.FromMinutes(1);
        var next = throttle.Admit(out var suppressed, out _);
        throttle.Admit(out var again, out _);

        Assert.Equal(3, admitted);
        Assert.True(next);
        Assert.Equal(19_997, suppressed);
        Assert.Equal(0, again);
    }
}
