using System.Globalization;

namespace EdgeAgent.Messaging.Tests.Support;

/// <summary>Polling for a condition the code under test reaches on its own threads.</summary>
internal static class Poll
{
    /// <summary>Returns once <paramref name="condition"/> holds (checked every 20 ms); fails the test after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        for (var deadline = DateTime.UtcNow + timeout; !condition(); await Task.Delay(20))
        {
            Assert.True(DateTime.UtcNow < deadline, string.Create(CultureInfo.InvariantCulture, $"condition not reached within {timeout.TotalSeconds:0.#} s"));
        }
    }
}
