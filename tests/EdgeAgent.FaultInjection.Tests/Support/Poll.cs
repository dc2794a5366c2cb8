namespace EdgeAgent.FaultInjection.Tests.Support;

/// <summary>Bounded waiting: every loop in this suite ends by its condition or by its deadline.</summary>
internal static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Waits for <paramref name="condition"/>; throws with <paramref name="describe"/> at the deadline or when <paramref name="abort"/> says so.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe, Func<string?>? abort = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (abort?.Invoke() is { } reason)
            {
                throw new InvalidOperationException($"{reason}; waiting for: {describe()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not reached within {timeout.TotalSeconds:F0} s: {describe()}");
            }

            await Task.Delay(Interval);
        }
    }
}
