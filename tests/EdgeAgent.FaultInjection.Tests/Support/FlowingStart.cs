namespace EdgeAgent.FaultInjection.Tests.Support;

/// <summary>The start of one round of a kill or power-cut scenario.</summary>
internal static class FlowingStart
{
    /// <summary>
    /// Starts the agent and waits until pairs are flowing through it (a new verdict from this process), then a seeded
    /// random moment up to <paramref name="maxDelay"/>, which is when the round's fault strikes; returns that moment.
    /// Fails when the stream of <paramref name="pairs"/> ended first: a fault then would test nothing.
    /// </summary>
    public static async Task<TimeSpan> StartAndLetPairsFlowAsync(this AgentRunner agent, DurableConsumer consumer, int round, int pairs, Random random, TimeSpan maxDelay)
    {
        agent.Start();
        int before = consumer.Distinct;
        await Poll.UntilAsync(() => consumer.Distinct > before, TimeSpan.FromSeconds(60), () => $"a new verdict after start {round} ({before} so far)", () => agent.ExitedUnexpectedly);
        var delay = TimeSpan.FromMilliseconds(random.Next(0, (int)maxDelay.TotalMilliseconds));
        await Task.Delay(delay);
        Assert.True(consumer.Distinct < pairs, $"every pair was judged before fault {round}: the faults came too late to test anything");
        return delay;
    }
}
