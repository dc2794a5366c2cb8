namespace EdgeAgent.Resilience;

/// <summary>
/// A coalescing wake-up for a loop that otherwise sleeps: any number of <see cref="Set"/> calls before the loop
/// waits again wake it once, and a wait ends early on a signal or after its timeout on the injected
/// <see cref="TimeProvider"/> (a <see cref="SemaphoreSlim"/> wait runs on real time, which tests cannot advance).
/// One waiter at a time; <see cref="Set"/> may be called from any thread, never blocks and never throws, so
/// it is safe in a file-watcher handler.
/// </summary>
public sealed class WakeSignal(TimeProvider time)
{
    private TaskCompletionSource _signal = NewSignal();

    /// <summary>Wakes the waiter, or the next wait if none is waiting now.</summary>
    public void Set() => Volatile.Read(ref _signal).TrySetResult();

    /// <summary>
    /// Waits for a signal or <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/> for none); true when signalled.
    /// The signal is consumed before this returns, so a <see cref="Set"/> after the caller looked at its work is never lost.
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var signal = Volatile.Read(ref _signal);
        if (!signal.Task.IsCompleted)
        {
            try
            {
                await (timeout == Timeout.InfiniteTimeSpan
                    ? signal.Task.WaitAsync(cancellationToken)
                    : signal.Task.WaitAsync(timeout, time, cancellationToken)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        // Only the waiter replaces a completed signal, so this swap cannot drop a fresh one.
        Interlocked.CompareExchange(ref _signal, NewSignal(), signal);
        return true;
    }

    // Continuations run asynchronously: Set must not run the woken loop on the caller's thread (a watcher's).
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
