namespace EdgeAgent.Resilience;

/// <summary>
/// The agent's one retry delay: exponential from a first delay to a cap, with optional jitter, back to the first
/// delay after a success, and waited on the injected <see cref="TimeProvider"/> so tests advance it.
/// Not thread-safe: each loop owns its own instance.
/// </summary>
/// <remarks>
/// A helper rather than Polly.Core's retry strategy: the MQTT supervisor does not retry one call, it waits for
/// "the next attempt or a wake-up, whichever comes first" (<see cref="WakeSignal"/>), which Polly does not model;
/// and the journal retries need only this much. One small type kept the three loops identical without a dependency.
/// </remarks>
public sealed class Backoff
{
    private readonly TimeSpan _first;
    private readonly TimeSpan _cap;
    private readonly double _jitter;
    private readonly TimeProvider _time;
    private TimeSpan _next;

    /// <summary>Creates a backoff from <paramref name="first"/> doubling to <paramref name="cap"/>.</summary>
    /// <param name="first">The first delay, &gt; 0.</param>
    /// <param name="cap">The longest delay before jitter, ≥ <paramref name="first"/>.</param>
    /// <param name="time">The clock delays are waited on.</param>
    /// <param name="jitter">Each delay is spread by ±this fraction (0 to 0.5); 0 for none.</param>
    public Backoff(TimeSpan first, TimeSpan cap, TimeProvider time, double jitter = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(first, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(cap, first);
        ArgumentOutOfRangeException.ThrowIfNegative(jitter);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(jitter, 0.5);
        ArgumentNullException.ThrowIfNull(time);
        (_first, _cap, _jitter, _time, _next) = (first, cap, jitter, time, first);
    }

    /// <summary>Failures since the last <see cref="Reset"/>.</summary>
    public int Failures { get; private set; }

    /// <summary>Counts a failure and returns how long to wait before the next attempt (jittered); the step after it doubles.</summary>
    public TimeSpan NextDelay()
    {
        var delay = _next;
        _next = TimeSpan.FromTicks(Math.Min(_next.Ticks * 2, _cap.Ticks));
        Failures++;
        return _jitter == 0 ? delay : delay * (1 - _jitter + (Random.Shared.NextDouble() * 2 * _jitter));
    }

    /// <summary>A success: the next failure waits the first delay again.</summary>
    public void Reset()
    {
        _next = _first;
        Failures = 0;
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> until it succeeds, waiting <see cref="NextDelay"/> after each failure that
    /// <paramref name="isTransient"/> accepts (others propagate); <paramref name="onRetry"/> hears of each failure
    /// and its delay before the wait. Resets on success.
    /// </summary>
    public async Task<T> RetryAsync<T>(Func<T> attempt, Func<Exception, bool> isTransient, Action<Exception, TimeSpan> onRetry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(isTransient);
        ArgumentNullException.ThrowIfNull(onRetry);
        while (true)
        {
            TimeSpan delay;
            try
            {
                var result = attempt();
                Reset();
                return result;
            }
            catch (Exception e) when (isTransient(e))
            {
                delay = NextDelay();
                onRetry(e, delay);
            }

            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
